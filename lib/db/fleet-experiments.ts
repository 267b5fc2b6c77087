// Fleet experiments in the store, as the dashboard (and the demo, tests and benchmarks, which
// act as it does) writes them: what the fleet looks like to the plan, the start of a confirmed
// plan, and a person's requests (approve, advance, pause, resume, abort). The fleet driver
// (fleet-driver/) does the rest. Every write is one transaction with its audit and change-feed
// rows, guarded by the fleet experiment's version so a person and the driver never overwrite
// each other.
import { commandAccess, encodeSubject, type Permission, type ResourceAccess, type Subject } from "../access";
import { activeExperiment } from "../experiments";
import { clusterReport } from "../controller-status";
import {
  fleetPlanColumn,
  fleetRequestRefusal,
  fleetSpecColumn,
  type FleetExperimentSpec,
  type FleetPhase,
  type FleetPlan,
  type FleetRequest,
} from "../fleet-experiments";
import {
  planFleetExperiment,
  planKey,
  plannedTargets,
  type ClusterFacts,
  type PlanResult,
} from "../fleet-plan";
import { decodeLabels } from "../labels";
import { agentStatusOf, experimentStatusColumn, rolloutColumn, specColumn } from "../read-model/agents";
import { redactText } from "../redact";
import { TOPICS } from "../topics";
import { withRetry, type Database } from "./open";

/** A question about an object of one cluster, answered by that cluster's stored answers. */
export type ClusterQuestion = ResourceAccess & { clusterId: string };
export type PermissionsOf = (questions: ClusterQuestion[]) => Promise<Permission[]>;

/** Full power (loopback, the admin token, scripts): every question is allowed. */
export const FULL_POWER: PermissionsOf = async (questions) =>
  questions.map(() => ({ state: "allowed", reason: "" }));

/**
 * What the plan needs to know of every cluster, from the store, at `now`: of the clusters in
 * `clusterIds` only (those the person sees; null for all), though any running fleet experiment
 * keeps its clusters busy.
 */
export async function planFacts(
  db: Database,
  permissionsOf: PermissionsOf,
  clusterIds: string[] | null = null,
  now = Date.now(),
): Promise<ClusterFacts[]> {
  const of = clusterIds ? { clusterId: { in: clusterIds } } : {};
  const [clusters, heartbeats, agents, rollouts, running] = await Promise.all([
    db.cluster.findMany({ where: clusterIds ? { id: { in: clusterIds } } : {}, orderBy: { name: "asc" } }),
    db.controllerHeartbeat.findMany({
      where: of,
      select: {
        clusterId: true,
        controllerId: true,
        isLeader: true,
        version: true,
        lastSeenAt: true,
        stoppedAt: true,
      },
    }),
    db.agent.findMany({
      where: { deletedAt: null, ...of },
      select: {
        clusterId: true,
        key: true,
        labels: true,
        spec: true,
        currentRevision: true,
        previousRevision: true,
        experiment: true,
      },
    }),
    db.agentRollout.findMany({ where: of, select: { clusterId: true, agentKey: true, rollout: true } }),
    db.fleetExperiment.findMany({ where: { settledAt: null }, select: { name: true, plan: true } }),
  ]);
  const busy = new Map<string, string>();
  for (const fx of running) {
    for (const t of plannedTargets(fleetPlanColumn.decode(fx.plan))) busy.set(t.clusterId, fx.name);
  }
  const questions: ClusterQuestion[] = agents.map((a) => ({
    clusterId: a.clusterId,
    ...commandAccess("start-experiment", a.key, {})!,
  }));
  const answers = await permissionsOf(questions);
  return clusters.map((cluster): ClusterFacts => {
    const report = clusterReport(
      heartbeats.filter((h) => h.clusterId === cluster.id),
      now,
    );
    return {
      id: cluster.id,
      name: cluster.name,
      labels: decodeLabels(cluster.labels),
      report: report.report,
      lastHeartbeatAt: report.lastHeartbeatAt,
      inFleetExperiment: busy.get(cluster.id) ?? null,
      agents: agents.flatMap((a, i) => {
        if (a.clusterId !== cluster.id) return [];
        const status = agentStatusOf({ ...a, experiment: experimentStatusColumn.decode(a.experiment) });
        const active = activeExperiment(status);
        const row = rollouts.find((r) => r.clusterId === a.clusterId && r.agentKey === a.key);
        const rollout = row ? rolloutColumn.decode(row.rollout) : null;
        return [
          {
            key: a.key,
            labels: decodeLabels(a.labels),
            spec: specColumn.decode(a.spec),
            currentRevision: a.currentRevision,
            activeExperiment: active ? `experiment ${active.id ?? "?"} (phase ${active.phase})` : null,
            nodes: rollout?.coverage.nodes ?? 0,
            pods: rollout ? rollout.daemonSet.desired + rollout.deployment.desired : 0,
            permission: answers[i]!,
          },
        ];
      }),
    };
  });
}

export interface Starter {
  actor: string;
  actorAuth: string;
  /** The person's Kubernetes identity: every per-cluster command is reviewed for it. */
  identity?: Subject;
}

export type StartResult =
  { ok: true; id: number; plan: FleetPlan } | { ok: false; error: string; problems?: string[] };

/**
 * Starts a fleet experiment on the plan the person confirmed: the plan is made again from the
 * store and must be the one previewed (`expectedPlanKey`, lib/fleet-plan.ts planKey), else
 * nothing starts and the person reviews it again. The name must be new, as a fleet
 * experiment's and as an experiment id in every cluster.
 */
export async function startFleetExperiment(
  db: Database,
  spec: FleetExperimentSpec,
  starter: Starter,
  options: { expectedPlanKey?: string; permissionsOf?: PermissionsOf; clusterIds?: string[] | null } = {},
): Promise<StartResult> {
  const result: PlanResult = planFleetExperiment(
    spec,
    await planFacts(db, options.permissionsOf ?? FULL_POWER, options.clusterIds ?? null),
  );
  if (!result.ok)
    return {
      ok: false,
      error: `the plan cannot start: ${result.problems.join("; ")}${leftOutText(result.plan)}`,
      problems: result.problems,
    };
  if (options.expectedPlanKey !== undefined && planKey(result.plan) !== options.expectedPlanKey) {
    return {
      ok: false,
      error: "the plan changed since the preview (a cluster, an agent or a revision): review it again",
    };
  }
  const [taken, used] = await Promise.all([
    db.fleetExperiment.findUnique({ where: { name: spec.name }, select: { id: true } }),
    db.experiment.findFirst({
      where: { experimentId: spec.name },
      select: { clusterId: true, agentKey: true },
    }),
  ]);
  if (taken)
    return { ok: false, error: `a fleet experiment named ${spec.name} exists already: choose another name` };
  if (used) {
    return {
      ok: false,
      error: `experiment id ${spec.name} was already used on ${used.agentKey} (cluster ${used.clusterId}): choose another name`,
    };
  }
  const now = new Date();
  try {
    const id = await withRetry(() =>
      db.$transaction(async (tx) => {
        const fx = await tx.fleetExperiment.create({
          data: {
            name: spec.name,
            spec: fleetSpecColumn.encode(spec),
            plan: fleetPlanColumn.encode(result.plan),
            phase: "running",
            actor: starter.actor,
            actorAuth: starter.actorAuth,
            identity: starter.identity ? encodeSubject(starter.identity) : null,
            updatedAt: now,
          },
        });
        await tx.fleetTarget.createMany({
          data: plannedTargets(result.plan).map((t) => ({
            fleetExperimentId: fx.id,
            clusterId: t.clusterId,
            agentKey: t.agent.key,
            clusterName: t.clusterName,
            wave: t.wave,
            state: "waiting",
            detail: "waits for its wave",
            baselineRevision: t.agent.currentRevision,
            updatedAt: now,
          })),
        });
        const text = startedText(starter.actor, result.plan);
        await tx.auditEvent.create({
          data: {
            actor: starter.actor,
            action: "fleet-experiment.started",
            targetKind: "FleetExperiment",
            target: spec.name,
            details: JSON.stringify({
              text,
              config: spec.config,
              waves: spec.waves,
              leftOut: result.plan.leftOut,
            }),
            source: "web",
          },
        });
        await tx.fleetNotification.create({ data: { fleetExperimentId: fx.id, event: "started", text } });
        await tx.change.createMany({
          data: [
            { topic: TOPICS.fleetExperiments, key: spec.name },
            { topic: TOPICS.audit, key: "" },
          ],
        });
        return fx.id;
      }),
    );
    return { ok: true, id, plan: result.plan };
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      return {
        ok: false,
        error: `a fleet experiment named ${spec.name} exists already: choose another name`,
      };
    }
    throw error;
  }
}

const DONE: Record<FleetRequest, string> = {
  approve: "approved",
  advance: "advanced",
  pause: "paused",
  resume: "resumed",
  abort: "aborted",
};

/** "started by alice: 2 waves (1: east; 2: west, north); left out: south (not-reporting)". */
function startedText(actor: string, plan: FleetPlan): string {
  const waves = plan.waves.map((w, i) => `${i + 1}: ${w.clusters.map((c) => c.clusterName).join(", ")}`);
  const leftOut = plan.leftOut.map((l) => `${l.clusterName} (${l.reason})`);
  return (
    `started by ${actor}: ${waves.length} wave${waves.length === 1 ? "" : "s"} (${waves.join("; ")})` +
    (leftOut.length > 0 ? `; left out: ${leftOut.join(", ")}` : "")
  );
}

/** " (left out: east: the candidate changes nothing in datadog/datadog; …)", or "". */
function leftOutText(plan: FleetPlan): string {
  if (plan.leftOut.length === 0) return "";
  return ` (left out: ${plan.leftOut.map((l) => `${l.clusterName}: ${l.detail}`).join("; ")})`;
}

export type RequestResult = { ok: true; phase: FleetPhase } | { ok: false; error: string };

/**
 * A person's request on a fleet experiment: approve (the wave waiting for approval starts),
 * advance (the current wave's remaining bake is cut short), pause, resume, abort (it halts and
 * every cluster it touched is put back). Refused, with why, in a phase that does not allow it.
 */
export async function requestFleetChange(
  db: Database,
  name: string,
  request: FleetRequest,
  actor: string,
  reason?: string | null,
): Promise<RequestResult> {
  // Free text from a person: trimmed, bounded, any secret in it redacted.
  const why = reason?.trim() ? redactText(reason.trim().slice(0, 200)) : null;
  for (let attempt = 1; ; attempt++) {
    const fx = await db.fleetExperiment.findUnique({ where: { name } });
    if (!fx) return { ok: false, error: `no fleet experiment named ${name}` };
    const phase = fx.phase as FleetPhase;
    const refusal = fleetRequestRefusal(request, phase);
    if (refusal) return { ok: false, error: refusal };
    const change: {
      phase?: FleetPhase;
      approvedWave?: number;
      advancedWave?: number;
      haltCause?: string;
      haltedAt?: Date;
    } =
      request === "approve"
        ? { phase: "running", approvedWave: fx.wave }
        : request === "advance"
          ? { advancedWave: fx.wave }
          : request === "pause"
            ? { phase: "paused" }
            : request === "resume"
              ? { phase: "running" }
              : {
                  phase: "halting",
                  haltCause: `aborted by ${actor}${why ? `: ${why}` : ""}`,
                  haltedAt: new Date(),
                };
    const updated = await withRetry(() =>
      db.$transaction(async (tx) => {
        const { count } = await tx.fleetExperiment.updateMany({
          where: { id: fx.id, version: fx.version },
          data: { ...change, version: fx.version + 1, updatedAt: new Date() },
        });
        if (count !== 1) return false;
        await tx.auditEvent.create({
          data: {
            actor,
            action: `fleet-experiment.${DONE[request]}`,
            targetKind: "FleetExperiment",
            target: name,
            details: JSON.stringify({ wave: fx.wave + 1, phaseBefore: phase, reason: why }),
            source: "web",
          },
        });
        await tx.change.createMany({
          data: [
            { topic: TOPICS.fleetExperiments, key: name },
            { topic: TOPICS.audit, key: "" },
          ],
        });
        return true;
      }),
    );
    if (updated) return { ok: true, phase: change.phase ?? phase };
    // The driver wrote in between: read again and decide again.
    if (attempt >= 5) return { ok: false, error: `fleet experiment ${name} keeps changing; try again` };
  }
}
