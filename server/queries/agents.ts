import "server-only";
import { commandAccess, type Permission } from "@/lib/access";
import type { ExperimentStatus } from "@/lib/agents";
import type { Json } from "@/lib/merge-patch";
import { redactSecrets, redactText } from "@/lib/redact";
import type { Condition } from "@/lib/conditions";
import {
  RECONCILED_CONDITION,
  conditionsColumn,
  experimentStatusColumn,
  ignoredFieldsColumn,
  rolloutColumn,
  specColumn,
} from "@/lib/read-model/agents";
import type { AgentRollout, RolloutState } from "@/lib/rollout";
import type { Agent, AgentRollout as AgentRolloutRow } from "@/lib/db/models";
import type { ReadScope } from "../scope/read-scope";
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
  /** With phase `terminated`: why (stopped, timed_out, unhealthy). */
  terminationReason: string | null;
  experimentId: string | null;
  currentRevision: string | null;
  lastChange: string | null;
  lastChangeAt: string | null;
  reconciledAt: string;
  deleted: boolean;
  renderError: string | null;
  /** Why the agent is not reconciled as it should be (its Reconciled condition is False), or null. */
  failing: { reason: string; message: string } | null;
  /** The spec's fields fleetdeck does not render (they have no effect on what runs). */
  ignoredFields: string[];
  /** The workloads' rollout (null before the controller has seen them). */
  health: AgentHealthDto | null;
}

/** What the agents list shows of a rollout. */
export interface AgentHealthDto {
  state: RolloutState;
  ready: number;
  desired: number;
  failingPods: number;
  /** Pods per revision of the agent DaemonSet, the template's first. */
  revisions: { revision: string | null; pods: number; current: boolean }[];
  nodes: number;
  covered: number;
  updatedAt: string;
}

export interface AgentDetailDto extends AgentSummaryDto {
  uid: string;
  generation: number;
  previousRevision: string | null;
  /** The spec as in the cluster (literal secrets redacted). */
  spec: Json;
  /** The experiment: status.experiment, and what fleetdeck keeps beside it. */
  experiment: ExperimentStatus | null;
  /** fleetdeck's conditions, as written to the DatadogAgent's status. */
  conditions: Condition[];
  rollout: AgentRollout | null;
  /** Whether the viewer may start, stop, promote or roll back (update the DatadogAgent). */
  permission: Permission;
}

function health(row: AgentRolloutRow | null | undefined): AgentHealthDto | null {
  if (!row) return null;
  const r = rolloutColumn.decode(row.rollout);
  return {
    state: row.state as RolloutState,
    ready: r.daemonSet.ready,
    desired: r.daemonSet.desired,
    failingPods: r.problems.length,
    revisions: r.daemonSet.revisions.map(({ revision, pods, current }) => ({ revision, pods, current })),
    nodes: r.coverage.nodes,
    covered: r.coverage.covered,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function summary(row: Agent, names: Map<string, string>, rollout?: AgentRolloutRow | null): AgentSummaryDto {
  const experiment = experimentStatusColumn.decode(row.experiment);
  const reconciled = conditionsColumn.decode(row.conditions).find((c) => c.type === RECONCILED_CONDITION);
  return {
    clusterId: row.clusterId,
    clusterName: names.get(row.clusterId) ?? row.clusterId,
    key: row.key,
    namespace: row.namespace,
    name: row.name,
    phase: experiment?.phase ?? "none",
    terminationReason: experiment?.terminationReason ?? null,
    experimentId: experiment?.id ?? null,
    currentRevision: row.currentRevision,
    lastChange: row.lastChange,
    lastChangeAt: row.lastChangeAt?.toISOString() ?? null,
    reconciledAt: row.reconciledAt.toISOString(),
    deleted: row.deletedAt !== null,
    renderError: row.renderError && redactText(row.renderError),
    failing:
      reconciled?.status === "False"
        ? { reason: reconciled.reason ?? "", message: redactText(reconciled.message ?? "") }
        : null,
    ignoredFields: ignoredFieldsColumn.decode(row.ignoredFields),
    health: health(rollout),
  };
}

/** Every DatadogAgent fleetdeck has seen, of every cluster or of one; deleted ones last. */
export async function listAgents(
  scope: ReadScope,
  filter: { clusterId?: string } = {},
): Promise<AgentSummaryDto[]> {
  const { db } = scope;
  const [rows, names, rollouts] = await Promise.all([
    db.agent.findMany({
      where: filter.clusterId ? { clusterId: filter.clusterId } : {},
      // The list shows neither spec nor experiment details: leave the big columns in the store.
      omit: { spec: true },
      orderBy: [{ namespace: "asc" }, { name: "asc" }, { clusterId: "asc" }],
    }),
    clusterNames(scope),
    db.agentRollout.findMany({ where: filter.clusterId ? { clusterId: filter.clusterId } : {} }),
  ]);
  const byAgent = new Map(rollouts.map((r) => [`${r.clusterId} ${r.agentKey}`, r]));
  return rows
    .map((row) => summary({ ...row, spec: "" }, names, byAgent.get(`${row.clusterId} ${row.key}`)))
    .sort((a, b) => Number(a.deleted) - Number(b.deleted) || a.clusterName.localeCompare(b.clusterName));
}

/** The clusters that have (or had) an agent of this key. */
export async function clustersWithAgent(scope: ReadScope, key: string): Promise<string[]> {
  const rows = await scope.db.agent.findMany({ where: { key }, select: { clusterId: true } });
  return rows.map((r) => r.clusterId);
}

export async function getAgent(
  scope: ReadScope,
  clusterId: string,
  key: string,
): Promise<AgentDetailDto | null> {
  const { db } = scope;
  const [row, names, rollout] = await Promise.all([
    db.agent.findUnique({ where: { clusterId_key: { clusterId, key } } }),
    clusterNames(scope),
    db.agentRollout.findUnique({ where: { clusterId_agentKey: { clusterId, agentKey: key } } }),
  ]);
  if (!row) return null;
  const [permission] = await permissions(scope, [
    { clusterId, ...commandAccess("restore-revision", key, {})! },
  ]);
  return {
    ...summary(row, names, rollout),
    // Pod messages are redacted when read from the pod; again here, as every query does.
    rollout: rollout ? redactSecrets(rolloutColumn.decode(rollout.rollout)) : null,
    uid: row.uid,
    generation: row.generation,
    previousRevision: row.previousRevision,
    // Redacted again when shown: rows written before the one redactor had a narrower one.
    spec: redactSecrets(specColumn.decode(row.spec)),
    experiment: experimentStatusColumn.decode(row.experiment),
    conditions: conditionsColumn
      .decode(row.conditions)
      .map((c) => ({ ...c, message: c.message && redactText(c.message) })),
    permission: permission!,
  };
}
