"use server";

import { parseFleetSpec } from "@/lib/fleet-experiments";
import { requireActor, UnauthenticatedError } from "../auth";
import { previewFleetExperiment as preview, type PlanPreviewDto } from "../queries/fleet-experiments";

export type PreviewResult = ({ ok: true } & { preview: PlanPreviewDto }) | { ok: false; error: string };

/**
 * The plan of a fleet experiment before it starts: writes nothing. Per wave its clusters and
 * DatadogAgents, nodes and pods, each DatadogAgent's diff, and the clusters left out with why
 * (the viewer's own permissions among the reasons).
 */
export async function previewFleetExperiment(input: unknown): Promise<PreviewResult> {
  let actor;
  try {
    actor = await requireActor();
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { ok: false, error: error.message };
    throw error;
  }
  const parsed = parseFleetSpec(input);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, preview: await preview(parsed.spec, actor) };
}
