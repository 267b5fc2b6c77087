"use server";

import { requestCommand, type CommandActionResult } from "./command-action";

/** Stops the running experiment: the controller restores its baseline revision. */
export async function stopExperiment(
  clusterId: string,
  target: string,
  experimentId: string,
): Promise<CommandActionResult> {
  return requestCommand(clusterId, "stop-experiment", target, { experimentId });
}
