"use server";

import { requestCommand, type CommandActionResult } from "./command-action";

/** Asks the controller to clear a workload's spot-disabled window now. */
export async function enableSpot(
  target: string,
  kind: "Deployment" | "StatefulSet",
): Promise<CommandActionResult> {
  return requestCommand("enable-spot", target, { kind });
}
