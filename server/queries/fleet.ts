import "server-only";
import {
  authorizationAttention,
  closeToTimeout,
  clusterAuthorization,
  rolloutProblem,
  type AttentionItem,
  type AuthorizationMode,
} from "@/components/lib/attention";
import { clusterControllers, forwarderHealth, type ForwarderHealth } from "@/components/lib/fleet";
import type { ForwarderState } from "@/lib/metadata";
import { rolloutColumn } from "@/lib/read-model/agents";
import type { ReadScope } from "../scope/read-scope";

/** How far back a send failure counts against a cluster's forwarder health. */
const RECENT_FAILURES_MS = 10 * 60_000;
/** Controllers that stopped longer ago than this are left out of a card (pods come and go). */
const FORGET_CONTROLLERS_AFTER_MS = 24 * 3600_000;

/** A controller's heartbeat: the page decides from it, against its own clock, whether it runs. */
export interface ControllerProcessDto {
  controllerId: string;
  /** Whether it led at its last heartbeat. */
  isLeader: boolean;
  version: string;
  hostname: string;
  lastSeenAt: string;
  stoppedAt: string | null;
}

export interface ClusterCardDto {
  id: string;
  name: string;
  kubernetesVersion: string;
  apiServer: string;
  /** Its controllers' heartbeats (components/lib/fleet.ts clusterControllers tells leader, standby, not reporting). */
  controllers: ControllerProcessDto[];
  /** Per-user authorization as its running controllers report it (lib/attention.ts clusterAuthorization). */
  authorization: AuthorizationMode | null;
  agents: number;
  runningExperiments: number;
  forwarding: { health: ForwarderHealth; failedRecently: number; states: Record<string, ForwarderState> };
  spot: { workloads: number; fallbacks: number };
  /** The leader's autoscaling gate (each process has its own); null without a leader. */
  gate: { workloadEnabled: boolean; open: boolean; openedAt: string | null; openedBy: string | null } | null;
}

export interface FleetDto {
  clusters: ClusterCardDto[];
  /**
   * What needs attention across the fleet, worst first (controllers not reporting are judged by
   * the page against its own clock, from the cards).
   */
  attention: AttentionItem[];
  totals: {
    clusters: number;
    agents: number;
    runningExperiments: number;
    spotFallbacks: number;
    openGates: number;
  };
}

const countsBy = (rows: { clusterId: string; _count: { _all: number } }[]) =>
  new Map(rows.map((r) => [r.clusterId, r._count._all]));

/** The fleet page: one card per cluster (by name) and the fleet's totals, in a few grouped queries. */
export async function fleetOverview(scope: ReadScope, now = Date.now()): Promise<FleetDto> {
  const { db } = scope;
  const [clusters, heartbeats, agents, experiments, forwarders, failures, spotWorkloads, gates, attention] =
    await Promise.all([
      db.cluster.findMany({ orderBy: { name: "asc" } }),
      db.controllerHeartbeat.findMany({
        where: {
          OR: [{ stoppedAt: null }, { lastSeenAt: { gte: new Date(now - FORGET_CONTROLLERS_AFTER_MS) } }],
        },
        select: {
          clusterId: true,
          controllerId: true,
          isLeader: true,
          version: true,
          hostname: true,
          lastSeenAt: true,
          stoppedAt: true,
          authorizationMode: true,
        },
      }),
      db.agent.groupBy({ by: ["clusterId"], where: { deletedAt: null }, _count: { _all: true } }),
      db.experiment.groupBy({ by: ["clusterId"], where: { outcome: null }, _count: { _all: true } }),
      db.metadataForwarder.findMany({ select: { clusterId: true, name: true, state: true } }),
      db.metadataSend.groupBy({
        by: ["clusterId"],
        where: { status: "failed", at: { gte: new Date(now - RECENT_FAILURES_MS) } },
        _count: { _all: true },
      }),
      db.spotWorkload.groupBy({ by: ["clusterId"], where: { optedIn: true }, _count: { _all: true } }),
      db.autoscalingGate.findMany({
        select: {
          clusterId: true,
          controllerId: true,
          workloadEnabled: true,
          open: true,
          openedAt: true,
          openedByKind: true,
          openedByName: true,
        },
      }),
      attentionItems(scope, now),
    ]);
  const agentCounts = countsBy(agents);
  const experimentCounts = countsBy(experiments);
  const failureCounts = countsBy(failures);
  const spotCounts = countsBy(spotWorkloads);
  // Each active fallback is an attention item already: counted from those, not queried again.
  const fallbackCounts = new Map<string, number>();
  for (const item of attention) {
    if (item.kind === "spot-fallback")
      fallbackCounts.set(item.clusterId, (fallbackCounts.get(item.clusterId) ?? 0) + 1);
  }

  const cards = clusters.map((cluster): ClusterCardDto => {
    const own = heartbeats.filter((h) => h.clusterId === cluster.id);
    const { leader, states } = clusterControllers(own, now);
    const controllers = own
      .sort(
        (a, b) =>
          Number(a.stoppedAt !== null) - Number(b.stoppedAt !== null) || +b.lastSeenAt - +a.lastSeenAt,
      )
      .slice(0, 10)
      .map((h): ControllerProcessDto => ({
        controllerId: h.controllerId,
        isLeader: h.isLeader,
        version: h.version,
        hostname: h.hostname,
        lastSeenAt: h.lastSeenAt.toISOString(),
        stoppedAt: h.stoppedAt?.toISOString() ?? null,
      }));
    const ownForwarders = forwarders.filter((f) => f.clusterId === cluster.id);
    const failedRecently = failureCounts.get(cluster.id) ?? 0;
    const gate = leader
      ? gates.find((g) => g.clusterId === cluster.id && g.controllerId === leader.controllerId)
      : undefined;
    return {
      id: cluster.id,
      name: cluster.name,
      kubernetesVersion: cluster.kubernetesVersion,
      apiServer: cluster.apiServer,
      controllers,
      authorization: clusterAuthorization(
        own.filter((h) => states.get(h.controllerId) === "running").map((h) => h.authorizationMode),
      ),
      agents: agentCounts.get(cluster.id) ?? 0,
      runningExperiments: experimentCounts.get(cluster.id) ?? 0,
      forwarding: {
        health: forwarderHealth(
          ownForwarders.map((f) => f.state as ForwarderState),
          failedRecently,
        ),
        failedRecently,
        states: Object.fromEntries(ownForwarders.map((f) => [f.name, f.state as ForwarderState])),
      },
      spot: { workloads: spotCounts.get(cluster.id) ?? 0, fallbacks: fallbackCounts.get(cluster.id) ?? 0 },
      gate: gate
        ? {
            workloadEnabled: gate.workloadEnabled,
            open: gate.open,
            openedAt: gate.openedAt?.toISOString() ?? null,
            openedBy: gate.openedByKind ? `${gate.openedByKind} ${gate.openedByName ?? ""}`.trim() : null,
          }
        : null,
    };
  });
  const sum = (pick: (c: ClusterCardDto) => number) => cards.reduce((n, c) => n + pick(c), 0);
  const names = new Map(cards.map((c) => [c.id, c.name]));
  return {
    clusters: cards,
    attention: [
      ...attention.map((item) => ({ ...item, clusterName: names.get(item.clusterId) ?? item.clusterId })),
      ...cards
        .filter((c) => c.forwarding.health === "failing")
        .map((c): AttentionItem => ({
          kind: "forwarder-failing",
          clusterId: c.id,
          clusterName: c.name,
          subject: "",
          detail: `${c.forwarding.failedRecently} metadata sends failed in the last 10 minutes`,
        })),
      ...cards.flatMap((c) => authorizationAttention(c) ?? []),
    ],
    totals: {
      clusters: cards.length,
      agents: sum((c) => c.agents),
      runningExperiments: sum((c) => c.runningExperiments),
      spotFallbacks: sum((c) => c.spot.fallbacks),
      openGates: cards.filter((c) => c.gate?.open).length,
    },
  };
}

/**
 * The items found in the store: unhealthy agents (their rollout degraded) and unhealthy
 * candidates, experiments close to their timeout, workloads whose spot is disabled (a fallback
 * or a user's disable). Cluster names are filled in by the caller.
 */
async function attentionItems(scope: ReadScope, now: number): Promise<AttentionItem[]> {
  const { db } = scope;
  const [rollouts, running, fallbacks] = await Promise.all([
    db.agentRollout.findMany({ where: { state: "degraded" } }),
    db.experiment.findMany({
      where: { outcome: null, startedAt: { not: null } },
      select: { clusterId: true, agentKey: true, experimentId: true, startedAt: true, timeoutSeconds: true },
    }),
    db.spotWorkload.findMany({
      where: { optedIn: true, disabledUntil: { gt: new Date(now) } },
      select: { clusterId: true, namespace: true, name: true, disabledUntil: true },
      orderBy: { disabledUntil: "desc" },
    }),
  ]);
  const live =
    rollouts.length === 0
      ? []
      : await db.agent.findMany({
          where: {
            deletedAt: null,
            OR: rollouts.map((r) => ({ clusterId: r.clusterId, key: r.agentKey })),
          },
          select: { clusterId: true, key: true },
        });
  const exists = new Set(live.map((a) => `${a.clusterId} ${a.key}`));
  const items: AttentionItem[] = [];
  for (const row of rollouts) {
    if (!exists.has(`${row.clusterId} ${row.agentKey}`)) continue;
    const rollout = rolloutColumn.decode(row.rollout);
    const base = { clusterId: row.clusterId, clusterName: row.clusterId, subject: row.agentKey };
    if (rollout.candidate?.state === "unhealthy") {
      items.push({
        ...base,
        kind: "experiment-unhealthy",
        detail: `experiment ${rollout.candidate.experimentId}: the candidate is unhealthy (${rollout.candidate.summary})`,
      });
    } else {
      items.push({ ...base, kind: "agent-unhealthy", detail: rolloutProblem(rollout) });
    }
  }
  for (const e of running) {
    if (!closeToTimeout(e.startedAt!, e.timeoutSeconds, now)) continue;
    const left = Math.max(0, Math.round((e.startedAt!.getTime() + e.timeoutSeconds * 1000 - now) / 60_000));
    items.push({
      kind: "experiment-timeout",
      clusterId: e.clusterId,
      clusterName: e.clusterId,
      subject: e.agentKey,
      detail: `experiment ${e.experimentId} times out in ${left} min: promote or stop it`,
    });
  }
  for (const w of fallbacks) {
    items.push({
      kind: "spot-fallback",
      clusterId: w.clusterId,
      clusterName: w.clusterId,
      subject: `${w.namespace}/${w.name}`,
      detail: `spot disabled until ${w.disabledUntil!.toISOString()}: its pods go to on-demand nodes`,
    });
  }
  return items;
}
