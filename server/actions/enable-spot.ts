"use server";

import type { SpotWorkloadKind } from "@/lib/spot";
import { requestCommand, type CommandActionResult } from "./command-action";

/** Asks the controller to clear a workload's spot-disabled window now. */
export async function enableSpot(target: string, kind: SpotWorkloadKind): Promise<CommandActionResult> {
  return requestCommand("enable-spot", target, { kind });
}
