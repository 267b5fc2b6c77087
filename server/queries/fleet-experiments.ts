import "server-only";
import type { AttentionItem } from "@/components/lib/attention";
import { planFacts, type PermissionsOf } from "@/lib/db/fleet-experiments";
import {
  fleetPlanColumn,
  fleetSpecColumn,
  type FleetExperimentSpec,
  type FleetPhase,
  type FleetPlan,
  type TargetState,
} from "@/lib/fleet-experiments";
import { matchingAgents, planFleetExperiment, planKey } from "@/lib/fleet-plan";
import { applyMergePatch, type Json } from "@/lib/merge-patch";
import { redactSecrets, redactText } from "@/lib/redact";
import { fleetDriverLeader, type FleetDriverLeader } from "../fleet-driver-status";
import type { ReadScope } from "../scope/read-scope";
import { permissions } from "./access";
import { clusterNames } from "./clusters";

/** How long a halted fleet experiment stays under "needs attention" once every cluster is back. */
const HALTED_ATTENTION_MS = 24 * 3600_000;

export interface FleetExperimentSummaryDto {
  name: string;
  phase: FleetPhase;
  /** The wave under way, 1-based. */
  wave: number;
  waves: number;
  clusters: number;
  actor: string;
  createdAt: string;
  updatedAt: string;
  haltCause: string | null;
  /** How many of its DatadogAgents are in each state. */
  states: Partial<Record<TargetState, number>>;
}

export interface FleetTargetDto {
  clusterId: string;
  clusterName: string;
  agentKey: string;
  /** 0-based, as in the plan. */
  wave: number;
  state: TargetState;
  detail: string;
  failure: string | null;
  baselineRevision: string | null;
  candidateRevision: string | null;
  healthySince: string | null;
  restoredAt: string | null;
  updatedAt: string;
  /** The commands sent for it, in order: step, command id, outcome. */
  commands: { step: string; id: number; status: string; message: string | null }[];
}

export interface FleetNotificationDto {
  id: number;
  event: string;
  text: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface FleetExperimentDto extends FleetExperimentSummaryDto {
  spec: FleetExperimentSpec;
  plan: FleetPlan;
  approvedWave: number;
  advancedWave: number | null;
  haltedAt: string | null;
  settledAt: string | null;
  targets: FleetTargetDto[];
  notifications: FleetNotificationDto[];
  /** The fleet driver that leads, as its lease says (judged against the page's clock). */
  driver: FleetDriverLeader | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summaryOf(
  row: {
    name: string;
    phase: string;
    wave: number;
    plan: FleetPlan;
    actor: string;
    createdAt: Date;
    updatedAt: Date;
    haltCause: string | null;
  },
  states: { state: string }[],
): FleetExperimentSummaryDto {
  const { plan } = row;
  const counts: Partial<Record<TargetState, number>> = {};
  for (const t of states) counts[t.state as TargetState] = (counts[t.state as TargetState] ?? 0) + 1;
  return {
    name: row.name,
    phase: row.phase as FleetPhase,
    wave: row.wave + 1,
    waves: plan.waves.length,
    clusters: new Set(plan.waves.flatMap((w) => w.clusters.map((c) => c.clusterId))).size,
    actor: row.actor,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    haltCause: row.haltCause && redactText(row.haltCause),
    states: counts,
  };
}

/**
 * The plan as `visible` (the clusters the viewer sees, by id) shows it: the waves' clusters and
 * the clusters left out, of those only.
 */
function visiblePlan(plan: FleetPlan, visible: Map<string, string>): FleetPlan {
  return {
    ...plan,
    waves: plan.waves.map((w) => ({ ...w, clusters: w.clusters.filter((c) => visible.has(c.clusterId)) })),
    leftOut: plan.leftOut.filter((l) => visible.has(l.clusterId)),
  };
}

/** Every fleet experiment the viewer sees, newest first. */
export async function listFleetExperiments(
  scope: ReadScope,
  limit = 200,
): Promise<FleetExperimentSummaryDto[]> {
  const { db } = scope;
  const [rows, visible] = await Promise.all([
    db.fleetExperiment.findMany({ orderBy: { id: "desc" }, take: limit }),
    clusterNames(scope),
  ]);
  const targets = await db.fleetTarget.findMany({
    where: { fleetExperimentId: { in: rows.map((r) => r.id) } },
    select: { fleetExperimentId: true, state: true },
  });
  return rows.map((r) =>
    summaryOf(
      { ...r, plan: visiblePlan(fleetPlanColumn.decode(r.plan), visible) },
      targets.filter((t) => t.fleetExperimentId === r.id),
    ),
  );
}

/**
 * One fleet experiment with the state of every DatadogAgent the viewer sees, its commands and
 * notifications; null when none (or the viewer sees none of its DatadogAgents).
 */
export async function getFleetExperiment(scope: ReadScope, name: string): Promise<FleetExperimentDto | null> {
  const { db } = scope;
  const row = await db.fleetExperiment.findUnique({ where: { name } });
  if (!row) return null;
  const [targets, steps, notifications, driver, visible] = await Promise.all([
    db.fleetTarget.findMany({ where: { fleetExperimentId: row.id } }),
    db.fleetStep.findMany({ where: { fleetExperimentId: row.id }, orderBy: { commandId: "asc" } }),
    db.fleetNotification.findMany({ where: { fleetExperimentId: row.id }, orderBy: { id: "asc" } }),
    fleetDriverLeader(),
    clusterNames(scope),
  ]);
  const commands = await db.command.findMany({
    where: { id: { in: steps.map((s) => s.commandId) } },
    select: { id: true, status: true, message: true },
  });
  const plan = visiblePlan(fleetPlanColumn.decode(row.plan), visible);
  const order = plan.waves.flatMap((w) =>
    w.clusters.flatMap((c) => c.agents.map((a) => `${c.clusterId} ${a.key}`)),
  );
  return {
    ...summaryOf({ ...row, plan }, targets),
    spec: redactSecrets(fleetSpecColumn.decode(row.spec)) as FleetExperimentSpec,
    plan,
    approvedWave: row.approvedWave,
    advancedWave: row.advancedWave,
    haltedAt: iso(row.haltedAt),
    settledAt: iso(row.settledAt),
    targets: targets
      .sort(
        (a, b) =>
          order.indexOf(`${a.clusterId} ${a.agentKey}`) - order.indexOf(`${b.clusterId} ${b.agentKey}`),
      )
      .map((t) => ({
        clusterId: t.clusterId,
        clusterName: t.clusterName,
        agentKey: t.agentKey,
        wave: t.wave,
        state: t.state as TargetState,
        detail: t.detail,
        failure: t.failure,
        baselineRevision: t.baselineRevision,
        candidateRevision: t.candidateRevision,
        healthySince: iso(t.healthySince),
        restoredAt: iso(t.restoredAt),
        updatedAt: t.updatedAt.toISOString(),
        commands: steps
          .filter((s) => s.clusterId === t.clusterId && s.agentKey === t.agentKey)
          .map((s) => {
            const c = commands.find((c) => c.id === s.commandId);
            return {
              step: s.step,
              id: s.commandId,
              status: c?.status ?? "unknown",
              message: c?.message ?? null,
            };
          }),
      })),
    notifications: notifications.map((n) => ({
      id: n.id,
      event: n.event,
      text: n.text,
      status: n.status,
      attempts: n.attempts,
      lastError: n.lastError,
      createdAt: n.createdAt.toISOString(),
      sentAt: iso(n.sentAt),
    })),
    driver,
  };
}

export interface PlanPreviewDto {
  ok: boolean;
  /** What keeps the plan from starting (a wave that selects nothing, a name not in the fleet). */
  problems: string[];
  plan: FleetPlan;
  /** What the start checks again: the plan must not have changed since this preview. */
  planKey: string;
  /** Per DatadogAgent of the plan: its current spec and the candidate (secrets redacted). */
  diffs: { clusterId: string; agentKey: string; current: Json; candidate: Json }[];
}

/**
 * What a plan of the viewer's is made of: every cluster the viewer sees, with the viewer's
 * permissions as each cluster's controller last answered them; read from the store as it is,
 * since a running fleet experiment the viewer does not see keeps its clusters busy all the same.
 * A start makes the plan again the same way (server/actions/start-fleet-experiment.ts).
 */
function planFactsFor(scope: ReadScope) {
  const permissionsOf: PermissionsOf = (questions) => permissions(scope, questions);
  return scope.clusterAggregate((db, clusterIds) => planFacts(db, permissionsOf, clusterIds));
}

/** The plan of a spec for the viewer: what a start would do now, and the diffs to confirm. */
export async function previewFleetExperiment(
  scope: ReadScope,
  spec: FleetExperimentSpec,
): Promise<PlanPreviewDto> {
  const facts = await planFactsFor(scope);
  const result = planFleetExperiment(spec, facts);
  const diffs: PlanPreviewDto["diffs"] = [];
  for (const wave of result.plan.waves) {
    for (const cluster of wave.clusters) {
      const agents = matchingAgents(spec, facts.find((f) => f.id === cluster.clusterId)?.agents ?? []);
      for (const agent of agents) {
        diffs.push({
          clusterId: cluster.clusterId,
          agentKey: agent.key,
          current: redactSecrets(agent.spec) as Json,
          candidate: redactSecrets(applyMergePatch(agent.spec, spec.config)) as Json,
        });
      }
    }
  }
  return {
    ok: result.ok,
    problems: result.problems,
    plan: result.plan,
    planKey: planKey(result.plan),
    diffs,
  };
}

/**
 * The Overview's items: a fleet experiment waiting for a person's approval, and one that halted
 * (until a day after every cluster is back, or as long as one is not).
 */
export async function fleetExperimentAttention(scope: ReadScope, now = Date.now()): Promise<AttentionItem[]> {
  const rows = await scope.db.fleetExperiment.findMany({
    where: {
      OR: [
        { phase: "waiting-approval" },
        {
          phase: { in: ["halting", "halted"] },
          OR: [{ settledAt: null }, { settledAt: { gte: new Date(now - HALTED_ATTENTION_MS) } }],
        },
      ],
    },
    select: { name: true, phase: true, wave: true, haltCause: true, settledAt: true },
    orderBy: { id: "desc" },
  });
  return rows.map((r): AttentionItem => {
    const base = { clusterId: "", clusterName: "", subject: r.name };
    if (r.phase === "waiting-approval") {
      return {
        ...base,
        kind: "fleet-experiment-approval",
        detail: `wave ${r.wave + 1} waits for your approval`,
      };
    }
    const back = r.settledAt
      ? "every cluster it touched is back at its baseline"
      : "putting the clusters it touched back";
    return {
      ...base,
      kind: "fleet-experiment-halted",
      detail: `halted: ${redactText(r.haltCause ?? "no cause recorded")}; ${back}`,
    };
  });
}
