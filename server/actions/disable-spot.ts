"use server";

import type { SpotWorkloadKind } from "@/lib/spot";
import { requestCommand, type CommandActionResult } from "./command-action";

/** Asks the controller to send a workload's new pods on-demand for `minutes`. */
export async function disableSpot(
  clusterId: string,
  target: string,
  kind: SpotWorkloadKind,
  minutes: number,
): Promise<CommandActionResult> {
  return requestCommand(clusterId, "disable-spot", target, { kind, minutes });
}
