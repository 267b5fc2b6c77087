import "server-only";
import type { Json } from "@/lib/merge-patch";
import { redactSecrets, redactText } from "@/lib/redact";
import { experimentConfigColumn } from "@/lib/read-model/agents";
import type { Experiment } from "@/prisma/generated/client";
import { getDb } from "../db";
import { toDto, type Dto } from "./dto";

export interface ExperimentDto extends Omit<Dto<Experiment>, "config"> {
  /** The merge patch that was applied to the spec. */
  config: Json;
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
      ...toDto(r),
      config: redactSecrets(experimentConfigColumn.decode(r.config)),
      reason: r.reason && redactText(r.reason),
      durationSeconds: r.endedAt
        ? Math.max(0, Math.round((r.endedAt.getTime() - from.getTime()) / 1000))
        : null,
    };
  });
}
