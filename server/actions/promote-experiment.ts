"use server";

import { requestCommand, type CommandActionResult } from "./command-action";

/** Promotes the running experiment: its candidate revision stays. */
export async function promoteExperiment(
  clusterId: string,
  target: string,
  experimentId: string,
): Promise<CommandActionResult> {
  return requestCommand(clusterId, "promote-experiment", target, { experimentId });
}
