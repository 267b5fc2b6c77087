import "server-only";
import { commandAccess, type Permission } from "@/lib/access";
import type { ExperimentStatus } from "@/lib/agents";
import type { Actor } from "@/lib/auth";
import type { Json } from "@/lib/merge-patch";
import { redactSecrets, redactText } from "@/lib/redact";
import { experimentStatusColumn, specColumn } from "@/lib/read-model/agents";
import type { Agent } from "@/prisma/generated/client";
import { getDb } from "../db";
import { permissions } from "./access";

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
  /** Whether the viewer may start, stop, promote or roll back (update the DatadogAgent). */
  permission: Permission;
}

function summary(row: Agent): AgentSummaryDto {
  const experiment = experimentStatusColumn.decode(row.experiment);
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
    renderError: row.renderError && redactText(row.renderError),
  };
}

/** Every DatadogAgent fleetdeck has seen; deleted ones last. */
export async function listAgents(): Promise<AgentSummaryDto[]> {
  const db = await getDb();
  const rows = await db.agent.findMany({ orderBy: [{ namespace: "asc" }, { name: "asc" }] });
  return rows.map(summary).sort((a, b) => Number(a.deleted) - Number(b.deleted));
}

export async function getAgent(key: string, viewer: Actor): Promise<AgentDetailDto | null> {
  const db = await getDb();
  const row = await db.agent.findUnique({ where: { key } });
  if (!row) return null;
  const [permission] = await permissions(viewer, [commandAccess("restore-revision", key, {})!]);
  return {
    ...summary(row),
    uid: row.uid,
    generation: row.generation,
    previousRevision: row.previousRevision,
    // Redacted again when shown: rows written before the one redactor had a narrower one.
    spec: redactSecrets(specColumn.decode(row.spec)),
    experiment: experimentStatusColumn.decode(row.experiment),
    permission: permission!,
  };
}
