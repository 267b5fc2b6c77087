import "server-only";
import type { Json } from "@/lib/merge-patch";
import { redactSecrets, redactText } from "@/lib/redact";
import { experimentConfigColumn } from "@/lib/read-model/agents";
import type { Experiment } from "@/lib/db/models";
import type { ReadScope } from "../scope/read-scope";
import { clusterNames } from "./clusters";
import { toDto, type Dto } from "./dto";

export interface ExperimentDto extends Omit<Dto<Experiment>, "config"> {
  clusterName: string;
  /** The merge patch that was applied to the spec. */
  config: Json;
  /** From the start of its clock (or its request) to its end; null while it runs. */
  durationSeconds: number | null;
}

/** Experiments newest first: the fleet's, one cluster's, or one agent's (its cluster and key). */
export async function listExperiments(
  scope: ReadScope,
  filter: { clusterId?: string; agentKey?: string } = {},
  limit = 500,
): Promise<ExperimentDto[]> {
  const { db } = scope;
  const [rows, names] = await Promise.all([
    db.experiment.findMany({
      where: {
        ...(filter.clusterId ? { clusterId: filter.clusterId } : {}),
        ...(filter.agentKey ? { agentKey: filter.agentKey } : {}),
      },
      orderBy: { id: "desc" },
      take: limit,
    }),
    clusterNames(scope),
  ]);
  return rows.map((r) => {
    const from = r.startedAt ?? r.requestedAt;
    return {
      ...toDto(r),
      clusterName: names.get(r.clusterId) ?? r.clusterId,
      config: redactSecrets(experimentConfigColumn.decode(r.config)),
      reason: r.reason && redactText(r.reason),
      durationSeconds: r.endedAt
        ? Math.max(0, Math.round((r.endedAt.getTime() - from.getTime()) / 1000))
        : null,
    };
  });
}
