"use server";

import { parseFleetSpec } from "@/lib/fleet-experiments";
import { actionActor } from "./action-actor";
import { previewFleetExperiment as preview, type PlanPreviewDto } from "../queries/fleet-experiments";
import { scopeFor } from "../scope/request";

export type PreviewResult = ({ ok: true } & { preview: PlanPreviewDto }) | { ok: false; error: string };

/**
 * The plan of a fleet experiment before it starts: writes nothing. Per wave its clusters and
 * DatadogAgents, nodes and pods, each DatadogAgent's diff, and the clusters left out with why
 * (the viewer's own permissions among the reasons).
 */
export async function previewFleetExperiment(input: unknown): Promise<PreviewResult> {
  const signedIn = await actionActor();
  if (!signedIn.ok) return signedIn;
  const { actor } = signedIn;
  const parsed = parseFleetSpec(input);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, preview: await preview(await scopeFor(actor), parsed.spec) };
}
