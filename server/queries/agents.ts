import "server-only";
import { commandAccess, type Permission } from "@/lib/access";
import type { ExperimentStatus } from "@/lib/agents";
import type { Actor } from "@/lib/auth";
import type { Json } from "@/lib/merge-patch";
import { redactSecrets, redactText } from "@/lib/redact";
import { experimentStatusColumn, specColumn } from "@/lib/read-model/agents";
import type { Agent } from "@/lib/db/models";
import { getDb } from "../db";
import { clusterNames } from "./clusters";
import { permissions } from "./access";

export interface AgentSummaryDto {
  clusterId: string;
  /** The cluster's display name (its id when it never registered). */
  clusterName: string;
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

function summary(row: Agent, names: Map<string, string>): AgentSummaryDto {
  const experiment = experimentStatusColumn.decode(row.experiment);
  return {
    clusterId: row.clusterId,
    clusterName: names.get(row.clusterId) ?? row.clusterId,
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

/** Every DatadogAgent fleetdeck has seen, of every cluster or of one; deleted ones last. */
export async function listAgents(filter: { clusterId?: string } = {}): Promise<AgentSummaryDto[]> {
  const db = await getDb();
  const [rows, names] = await Promise.all([
    db.agent.findMany({
      where: filter.clusterId ? { clusterId: filter.clusterId } : {},
      // The list shows neither spec nor experiment details: leave the big columns in the store.
      omit: { spec: true },
      orderBy: [{ namespace: "asc" }, { name: "asc" }, { clusterId: "asc" }],
    }),
    clusterNames(),
  ]);
  return rows
    .map((row) => summary({ ...row, spec: "" }, names))
    .sort((a, b) => Number(a.deleted) - Number(b.deleted) || a.clusterName.localeCompare(b.clusterName));
}

/** The clusters that have (or had) an agent of this key. */
export async function clustersWithAgent(key: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db.agent.findMany({ where: { key }, select: { clusterId: true } });
  return rows.map((r) => r.clusterId);
}

export async function getAgent(
  clusterId: string,
  key: string,
  viewer: Actor,
): Promise<AgentDetailDto | null> {
  const db = await getDb();
  const [row, names] = await Promise.all([
    db.agent.findUnique({ where: { clusterId_key: { clusterId, key } } }),
    clusterNames(),
  ]);
  if (!row) return null;
  const [permission] = await permissions(viewer, [
    { clusterId, ...commandAccess("restore-revision", key, {})! },
  ]);
  return {
    ...summary(row, names),
    uid: row.uid,
    generation: row.generation,
    previousRevision: row.previousRevision,
    // Redacted again when shown: rows written before the one redactor had a narrower one.
    spec: redactSecrets(specColumn.decode(row.spec)),
    experiment: experimentStatusColumn.decode(row.experiment),
    permission: permission!,
  };
}
