"use server";

import { requestCommand, type CommandActionResult } from "./command-action";

/** Asks a cluster's leading controller to answer: the smallest round trip through the command contract. */
export async function pingController(clusterId: string): Promise<CommandActionResult> {
  return requestCommand(clusterId, "ping", "", {});
}
