"use server";

import { requestCommand, type CommandActionResult } from "./command-action";

/** Asks the leading controller to answer: the smallest round trip through the command contract. */
export async function pingController(): Promise<CommandActionResult> {
  return requestCommand("ping", "", {});
}
