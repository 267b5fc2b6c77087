// The rebalancer (upstream's, in datadog-agent pkg/clusteragent/autoscaling/cluster/spot), plus
// moving opted-out workloads back to on-demand: per owner, skipping workloads with spot disabled,
// owners with in-flight admissions, owners changed within the stabilization period and owners with
// a Pending pod, it picks one pod to evict toward the target split. At most one eviction across
// the cluster per tick; a refused eviction (a PodDisruptionBudget) is no eviction, so the next
// candidate gets its turn and the refused owner is tried again on a later tick.
//
// Beyond upstream: a workload that drops the opt-in label gets the same treatment with a 0 %
// target, so its spot pods move back to on-demand one at a time.
import type { Logger } from "../../log";
import type { CachedPod } from "../pod-cache";
import type { SpotActions } from "./actions";
import { spotMetrics, workloadLabelsOf } from "./metrics";
import { ownerKey } from "./ownership";
import { rebalanceDecision, type RebalanceDecision } from "./placement";
import { createdAt, type OwnerSnapshot, type SpotTracker } from "./tracker";
import { workloadKey, type WorkloadConfigCache } from "./workload-config";

interface Candidate {
  snapshot: OwnerSnapshot;
  decision: RebalanceDecision | { evict: "spot"; why: "opted-out" };
}

/** The pod to evict: newest first, then by name, so the choice never depends on map order. */
export function podToEvict(pods: CachedPod[]): CachedPod | undefined {
  return [...pods].sort(
    (a, b) => createdAt(b) - createdAt(a) || a.metadata.name.localeCompare(b.metadata.name),
  )[0];
}

export class Rebalancer {
  constructor(
    private readonly tracker: SpotTracker,
    private readonly workloads: WorkloadConfigCache,
    private readonly actions: SpotActions,
    private readonly settings: { rebalanceStabilizationMs: number },
    private readonly log: Logger,
  ) {}

  /** The owners that need an eviction now, least recently changed first. */
  candidates(now = Date.now()): Candidate[] {
    const result: Candidate[] = [];
    const owners = this.tracker.snapshot((w) => this.workloads.isSpotWorkload(w));
    this.workloads.forgetOptedOut(
      (key) => !owners.some((o) => workloadKey(o.workload) === key && o.spotPods.length > 0),
    );
    for (const snapshot of owners) {
      if (snapshot.inflightSpot + snapshot.inflightOnDemand > 0) continue;
      if (now - snapshot.lastUpdate < this.settings.rebalanceStabilizationMs) continue;
      if ([...snapshot.spotPods, ...snapshot.onDemandPods].some((p) => p.status.phase === "Pending"))
        continue;
      const config = this.workloads.get(snapshot.workload, now);
      let decision: Candidate["decision"] | null;
      if (config) {
        if (this.workloads.isDisabled(config, now)) continue;
        decision = rebalanceDecision(snapshot.spotPods.length, snapshot.onDemandPods.length, config.settings);
      } else if (this.workloads.wasOptedOut(snapshot.workload) && snapshot.spotPods.length > 0) {
        decision = { evict: "spot", why: "opted-out" };
      } else {
        continue;
      }
      if (decision) result.push({ snapshot, decision });
    }
    return result.sort(
      (a, b) =>
        a.snapshot.lastUpdate - b.snapshot.lastUpdate ||
        ownerKey(a.snapshot.owner).localeCompare(ownerKey(b.snapshot.owner)),
    );
  }

  /** Evicts at most one pod; returns it, if any. */
  async runOnce(now = Date.now()): Promise<CachedPod | undefined> {
    for (const { snapshot, decision } of this.candidates(now)) {
      const pod = podToEvict(decision.evict === "spot" ? snapshot.spotPods : snapshot.onDemandPods);
      if (!pod) continue;
      const loop = decision.why === "opted-out" ? "opt-out" : "rebalance";
      const outcome = await this.actions.evict(loop, snapshot.workload, snapshot.owner, pod, undefined, {
        capacity: decision.evict,
        why: decision.why,
        spot: snapshot.spotPods.length,
        onDemand: snapshot.onDemandPods.length,
      });
      if (outcome !== "evicted") continue;
      this.tracker.touch(snapshot.owner);
      this.actions.events.rebalancingEviction(snapshot.workload, pod, decision.evict);
      spotMetrics.rebalanceEvictions.inc({
        ...workloadLabelsOf(snapshot.workload),
        capacity_type: decision.evict === "spot" ? "spot" : "on_demand",
      });
      this.log.debug({ workload: workloadKey(snapshot.workload), why: decision.why }, "rebalanced");
      return pod;
    }
    return undefined;
  }
}
