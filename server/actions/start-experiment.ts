"use server";

import { parseExperimentConfig } from "@/lib/experiment-config";
import { requestCommand, type CommandActionResult } from "./command-action";

/**
 * Starts an experiment on a DatadogAgent: `configText` (YAML or JSON) is merged into its spec
 * as a JSON merge patch; the timeout defaults to the controller's (30 minutes).
 */
export async function startExperiment(input: {
  clusterId: string;
  target: string;
  experimentId: string;
  configText: string;
  timeoutSeconds?: number | null;
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
  });
}
