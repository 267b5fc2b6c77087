"use server";

import { requestCommand, type CommandActionResult } from "./command-action";

/** Rolls a DatadogAgent back to a revision of its history. */
export async function restoreRevision(
  clusterId: string,
  target: string,
  revision: string,
): Promise<CommandActionResult> {
  return requestCommand(clusterId, "restore-revision", target, { revision });
}
