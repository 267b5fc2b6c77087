import "server-only";
import type { Json } from "@/lib/merge-patch";
import { getDb } from "../db";

export interface ExperimentDto {
  id: number;
  agentKey: string;
  experimentId: string;
  actor: string;
  source: string;
  /** The merge patch that was applied to the spec. */
  config: Json;
  timeoutSeconds: number;
  baselineRevision: string;
  candidateRevision: string;
  phase: string;
  outcome: string | null;
  reason: string | null;
  endedBy: string | null;
  requestedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** From the start of its clock (or its request) to its end; null while it runs. */
  durationSeconds: number | null;
}

/** Experiments newest first, all of them or one agent's. */
export async function listExperiments(agentKey?: string, limit = 500): Promise<ExperimentDto[]> {
  const db = await getDb();
  const rows = await db.experiment.findMany({
    where: agentKey ? { agentKey } : {},
    orderBy: { id: "desc" },
    take: limit,
  });
  return rows.map((r) => {
    const from = r.startedAt ?? r.requestedAt;
    return {
      ...r,
      config: JSON.parse(r.config) as Json,
      requestedAt: r.requestedAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      endedAt: r.endedAt?.toISOString() ?? null,
      durationSeconds: r.endedAt
        ? Math.max(0, Math.round((r.endedAt.getTime() - from.getTime()) / 1000))
        : null,
    };
  });
}
