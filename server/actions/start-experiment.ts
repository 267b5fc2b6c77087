"use server";

import { parseExperimentConfig } from "@/components/lib/experiment-config";
import type { CommandPayload } from "@/lib/commands";
import { requestCommand, type CommandActionResult } from "./command-action";

/**
 * Starts an experiment on a DatadogAgent: `configText` (YAML or JSON) is merged into its spec
 * as a JSON merge patch; the timeout and the health gate default to the controller's.
 */
export async function startExperiment(input: {
  clusterId: string;
  target: string;
  experimentId: string;
  configText: string;
  timeoutSeconds?: number | null;
  /** Fields left out take the controller's defaults (docs/health.md). */
  healthGate?: CommandPayload<"start-experiment">["healthGate"];
}): Promise<CommandActionResult> {
  const parsed = parseExperimentConfig(input.configText);
  if (!parsed.ok) {
    return {
      ok: false,
      error: parsed.problems.map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message)).join("; "),
    };
  }
  return requestCommand(input.clusterId, "start-experiment", input.target, {
    experimentId: input.experimentId,
    config: parsed.config,
    ...(input.timeoutSeconds ? { timeoutSeconds: input.timeoutSeconds } : {}),
    ...(input.healthGate ? { healthGate: input.healthGate } : {}),
  });
}
