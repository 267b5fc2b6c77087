// The placement and rebalancing rules as pure functions (upstream's, in datadog-agent
// pkg/clusteragent/autoscaling/cluster/spot), per direct owner (a ReplicaSet or StatefulSet)
// with its workload's settings.

export interface PlacementSettings {
  /** Target share of replicas on spot, 0-100. */
  percentage: number;
  /** On-demand replicas to keep whatever the percentage. */
  minOnDemand: number;
}

export interface OwnerCounts {
  /** Pods assigned to spot that exist (Pending or Running, not terminating). */
  spot: number;
  onDemand: number;
  /** Admitted by this process's webhook, not yet seen by the watch. */
  inflightSpot: number;
  inflightOnDemand: number;
}

export type Capacity = "spot" | "on-demand";

/** Where the next pod of an owner goes, counting in-flight admissions. */
export function placeNewPod(counts: OwnerCounts, settings: PlacementSettings): Capacity {
  const spot = counts.spot + counts.inflightSpot;
  const onDemand = counts.onDemand + counts.inflightOnDemand;
  const total = spot + onDemand;
  if (onDemand < settings.minOnDemand) return "on-demand";
  const desiredSpot = Math.floor(((total + 1) * settings.percentage) / 100);
  return spot >= desiredSpot ? "on-demand" : "spot";
}

export interface RebalanceDecision {
  evict: Capacity;
  why: "below-min-on-demand" | "excess-spot" | "excess-on-demand";
}

/** Which kind of pod to evict to move an owner toward its split, or null when it is there. */
export function rebalanceDecision(
  spot: number,
  onDemand: number,
  settings: PlacementSettings,
): RebalanceDecision | null {
  if (onDemand < settings.minOnDemand) {
    return spot > 0 ? { evict: "spot", why: "below-min-on-demand" } : null;
  }
  const total = spot + onDemand;
  const desiredSpot = Math.floor((total * settings.percentage) / 100);
  if (spot > desiredSpot) return { evict: "spot", why: "excess-spot" };
  const desiredOnDemand = Math.max(total - desiredSpot, settings.minOnDemand);
  if (onDemand > desiredOnDemand) return { evict: "on-demand", why: "excess-on-demand" };
  return null;
}

/**
 * The split both rules converge to for `total` pods: what placement gives when pods are
 * admitted one at a time, and what the rebalancer leaves alone.
 */
export function targetSplit(total: number, settings: PlacementSettings): { spot: number; onDemand: number } {
  const spot = Math.max(
    0,
    Math.min(Math.floor((total * settings.percentage) / 100), total - settings.minOnDemand),
  );
  return { spot, onDemand: total - spot };
}
