"use server";

import { requestCommand, type CommandActionResult } from "./command-action";

/** Rolls a DatadogAgent back to a revision of its history. */
export async function restoreRevision(target: string, revision: string): Promise<CommandActionResult> {
  return requestCommand("restore-revision", target, { revision });
}
