import "server-only";
import type { ExperimentStatus } from "@/lib/agents";
import type { Json } from "@/lib/merge-patch";
import { getDb } from "../db";

export interface AgentSummaryDto {
  key: string;
  namespace: string;
  name: string;
  /** The experiment phase, or "none". */
  phase: string;
  experimentId: string | null;
  currentRevision: string | null;
  lastChange: string | null;
  lastChangeAt: string | null;
  reconciledAt: string;
  deleted: boolean;
  renderError: string | null;
}

export interface AgentDetailDto extends AgentSummaryDto {
  uid: string;
  generation: number;
  previousRevision: string | null;
  /** The spec as in the cluster (literal secrets redacted). */
  spec: Json;
  /** status.experiment, field for field. */
  experiment: ExperimentStatus | null;
}

export interface RevisionDto {
  id: number;
  name: string;
  hash: string;
  /** The defaulted spec of the revision (literal secrets redacted). */
  spec: Json;
  specRedacted: boolean;
  cause: string;
  actor: string;
  experimentId: string | null;
  at: string;
  inCluster: boolean;
}

type AgentRow = Awaited<ReturnType<Awaited<ReturnType<typeof getDb>>["agent"]["findFirstOrThrow"]>>;

function summary(row: AgentRow): AgentSummaryDto {
  const experiment = JSON.parse(row.experiment) as ExperimentStatus | null;
  return {
    key: row.key,
    namespace: row.namespace,
    name: row.name,
    phase: experiment?.phase ?? "none",
    experimentId: experiment?.id ?? null,
    currentRevision: row.currentRevision,
    lastChange: row.lastChange,
    lastChangeAt: row.lastChangeAt?.toISOString() ?? null,
    reconciledAt: row.reconciledAt.toISOString(),
    deleted: row.deletedAt !== null,
    renderError: row.renderError,
  };
}

/** Every DatadogAgent fleetdeck has seen; deleted ones last. */
export async function listAgents(): Promise<AgentSummaryDto[]> {
  const db = await getDb();
  const rows = await db.agent.findMany({ orderBy: [{ namespace: "asc" }, { name: "asc" }] });
  return rows.map(summary).sort((a, b) => Number(a.deleted) - Number(b.deleted));
}

export async function getAgent(key: string): Promise<AgentDetailDto | null> {
  const db = await getDb();
  const row = await db.agent.findUnique({ where: { key } });
  if (!row) return null;
  return {
    ...summary(row),
    uid: row.uid,
    generation: row.generation,
    previousRevision: row.previousRevision,
    spec: JSON.parse(row.spec) as Json,
    experiment: JSON.parse(row.experiment) as ExperimentStatus | null,
  };
}

/** The agent's revision history, newest first. */
export async function listRevisions(agentKey: string, limit = 200): Promise<RevisionDto[]> {
  const db = await getDb();
  const rows = await db.agentRevision.findMany({ where: { agentKey }, orderBy: { id: "desc" }, take: limit });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    hash: r.hash,
    spec: JSON.parse(r.spec) as Json,
    specRedacted: r.specRedacted,
    cause: r.cause,
    actor: r.actor,
    experimentId: r.experimentId,
    at: r.at.toISOString(),
    inCluster: r.inCluster,
  }));
}
