"use server";

import type { SpotWorkloadKind } from "@/lib/spot";
import { requestCommand, type CommandActionResult } from "./command-action";

/** Asks the controller to clear a workload's spot-disabled window now. */
export async function enableSpot(
  clusterId: string,
  target: string,
  kind: SpotWorkloadKind,
): Promise<CommandActionResult> {
  return requestCommand(clusterId, "enable-spot", target, { kind });
}
