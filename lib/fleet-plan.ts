// The plan of a fleet experiment, as the person sees it before confirming (docs/fleet-experiments.md):
// for each wave, its clusters and their DatadogAgents; the clusters left out, each with why. A
// pure function of what the store says about the fleet, so the preview and the start compute
// the same plan, and the start refuses when it changed since the preview.
import type { Permission } from "./access";
import type {
  FleetExperimentSpec,
  FleetPlan,
  LeftOutCluster,
  PlannedAgent,
  PlannedCluster,
  PlannedWave,
} from "./fleet-experiments";
import type { ClusterReport } from "./controller-status";
import { matchesSelector, parseSelector, type Labels } from "./labels";
import { applyMergePatch, canonicalJson, jsonEqual, type Json } from "./merge-patch";

export interface AgentFacts {
  key: string;
  labels: Labels;
  /** The spec as stored (secrets redacted). */
  spec: Json;
  currentRevision: string | null;
  /** "experiment x (phase running)" when an experiment is in progress on it, else null. */
  activeExperiment: string | null;
  nodes: number;
  pods: number;
  /** May the person change it, as its cluster's controller last answered. */
  permission: Permission;
}

export interface ClusterFacts {
  id: string;
  name: string;
  labels: Labels;
  report: ClusterReport;
  lastHeartbeatAt: string | null;
  agents: AgentFacts[];
  /** The name of another fleet experiment in progress that includes this cluster, or null. */
  inFleetExperiment: string | null;
}

export type PlanResult =
  { ok: true; plan: FleetPlan; problems: [] } | { ok: false; plan: FleetPlan; problems: string[] };

/** The DatadogAgents of a cluster the spec names (by key, or by a selector on their labels). */
export function matchingAgents(
  spec: Pick<FleetExperimentSpec, "agents" | "agentSelector">,
  agents: AgentFacts[],
) {
  if (spec.agents) return agents.filter((a) => spec.agents!.includes(a.key));
  const selector = parseSelector(spec.agentSelector ?? "");
  return agents.filter((a) => matchesSelector(selector, a.labels));
}

function describeTargets(spec: Pick<FleetExperimentSpec, "agents" | "agentSelector">): string {
  return spec.agents ? `named ${spec.agents.join(", ")}` : `matching ${spec.agentSelector}`;
}

/** Why a cluster cannot take part, or null; the first reason that applies, in the order people fix them. */
function leftOutReason(
  spec: FleetExperimentSpec,
  cluster: ClusterFacts,
  agents: AgentFacts[],
): Omit<LeftOutCluster, "clusterId" | "clusterName"> | null {
  if (cluster.report !== "reporting") {
    return {
      reason: "not-reporting",
      detail: cluster.lastHeartbeatAt
        ? `no controller heartbeat since ${cluster.lastHeartbeatAt}`
        : "no controller has ever reported",
    };
  }
  if (agents.length === 0) {
    return { reason: "no-matching-agent", detail: `no DatadogAgent ${describeTargets(spec)}` };
  }
  const unreconciled = agents.find((a) => !a.currentRevision);
  if (unreconciled) {
    return { reason: "no-matching-agent", detail: `${unreconciled.key} has not been reconciled yet` };
  }
  if (cluster.inFleetExperiment) {
    return {
      reason: "in-fleet-experiment",
      detail: `part of fleet experiment ${cluster.inFleetExperiment}, still in progress`,
    };
  }
  const busy = agents.find((a) => a.activeExperiment);
  if (busy) return { reason: "experiment-running", detail: `${busy.key} runs ${busy.activeExperiment}` };
  const denied = agents.find((a) => a.permission.state === "denied");
  if (denied) return { reason: "not-allowed", detail: denied.permission.reason };
  const unchanged = agents.find((a) => jsonEqual(applyMergePatch(a.spec, spec.config), a.spec));
  if (unchanged) return { reason: "no-change", detail: `the candidate changes nothing in ${unchanged.key}` };
  return null;
}

/** Plans the waves; a problem (a wave that selects nothing, a name not in the fleet) blocks the start. */
export function planFleetExperiment(spec: FleetExperimentSpec, clusters: ClusterFacts[]): PlanResult {
  const problems: string[] = [];
  const leftOut: LeftOutCluster[] = [];
  const eligible = new Map<string, { cluster: ClusterFacts; agents: AgentFacts[] }>();
  const byName = new Map(clusters.map((c) => [c.name, c]));
  for (const cluster of [...clusters].sort((a, b) => a.name.localeCompare(b.name))) {
    const agents = matchingAgents(spec, cluster.agents).sort((a, b) => a.key.localeCompare(b.key));
    const why = leftOutReason(spec, cluster, agents);
    if (why) leftOut.push({ clusterId: cluster.id, clusterName: cluster.name, ...why });
    else eligible.set(cluster.id, { cluster, agents });
  }

  const reached = new Set<string>();
  const waves: PlannedWave[] = spec.waves.map((wave, index) => {
    const label = `wave ${index + 1}`;
    const remaining = [...eligible.values()].filter((e) => !reached.has(e.cluster.id));
    let chosen: typeof remaining;
    if (wave.clusters) {
      chosen = [];
      for (const name of wave.clusters) {
        const cluster = byName.get(name);
        if (!cluster) problems.push(`${label} names cluster "${name}", which is not in the fleet`);
        else if (reached.has(cluster.id))
          problems.push(`${label} names cluster ${name}, already in an earlier wave`);
        else if (eligible.has(cluster.id)) chosen.push(eligible.get(cluster.id)!);
      }
    } else if (wave.clusterSelector !== undefined) {
      const selector = parseSelector(wave.clusterSelector);
      chosen = remaining.filter((e) => matchesSelector(selector, e.cluster.labels));
    } else {
      chosen = remaining.slice(0, Math.ceil((remaining.length * wave.percent!) / 100));
    }
    for (const e of chosen) reached.add(e.cluster.id);
    if (chosen.length === 0) problems.push(`${label} selects no cluster that can take part`);
    const planned: PlannedCluster[] = chosen.map(({ cluster, agents }) => ({
      clusterId: cluster.id,
      clusterName: cluster.name,
      agents: agents.map((a): PlannedAgent => ({
        key: a.key,
        currentRevision: a.currentRevision,
        nodes: a.nodes,
        pods: a.pods,
      })),
    }));
    return {
      clusters: planned,
      bakeSeconds: wave.bakeSeconds,
      maxConcurrent: Math.max(1, Math.min(wave.maxConcurrent ?? planned.length, planned.length || 1)),
      approval: wave.approval,
    };
  });
  for (const { cluster } of eligible.values()) {
    if (!reached.has(cluster.id)) {
      leftOut.push({
        clusterId: cluster.id,
        clusterName: cluster.name,
        reason: "no-wave",
        detail: "no wave selects it",
      });
    }
  }
  leftOut.sort((a, b) => a.clusterName.localeCompare(b.clusterName));
  const plan = { waves, leftOut };
  return problems.length > 0 ? { ok: false, plan, problems } : { ok: true, plan, problems: [] };
}

/**
 * What must not change between the preview and the start: every wave's clusters, DatadogAgents
 * and their current revisions, and the clusters left out with why. The start compares the two.
 */
export function planKey(plan: FleetPlan): string {
  return canonicalJson({
    waves: plan.waves.map((w) => ({
      clusters: w.clusters.map((c) => ({
        id: c.clusterId,
        agents: c.agents.map((a) => [a.key, a.currentRevision]),
      })),
      bakeSeconds: w.bakeSeconds,
      maxConcurrent: w.maxConcurrent,
      approval: w.approval,
    })),
    leftOut: plan.leftOut.map((l) => [l.clusterId, l.reason]),
  });
}

/** Every DatadogAgent of the plan, with its wave. */
export function plannedTargets(plan: FleetPlan) {
  return plan.waves.flatMap((wave, index) =>
    wave.clusters.flatMap((c) =>
      c.agents.map((a) => ({ wave: index, clusterId: c.clusterId, clusterName: c.clusterName, agent: a })),
    ),
  );
}
