// Per direct owner, which pods exist and where they were placed, plus the admissions this
// process's webhook made that the watch has not shown yet (in flight). Fed by the shared pod
// store; read by the webhook (placement), the fallback, the rebalancer and the read model.
//
// A pod counts while it is Pending or Running and not terminating: Succeeded and Failed pods
// are gone (as upstream), and so are terminating ones, as the ReplicaSet controller counts them,
// so the replacement of an evicted pod is placed as if the evicted one had left.
import type { CachedPod, PodCache } from "../pod-cache";
import { SPOT_ASSIGNED_LABEL, SPOT_ASSIGNED_VALUE } from "../../../lib/spot";
import { ownerKey, resolveOwnership, type Ownership, type PodOwner } from "./ownership";
import type { OwnerCounts } from "./placement";
import type { WorkloadRef } from "./workload-config";

export function isSpotAssigned(pod: CachedPod): boolean {
  return pod.metadata.labels?.[SPOT_ASSIGNED_LABEL] === SPOT_ASSIGNED_VALUE;
}

function isGone(pod: CachedPod): boolean {
  const phase = pod.status.phase;
  return phase === "Succeeded" || phase === "Failed" || pod.metadata.deletionTimestamp !== undefined;
}

function podKey(pod: CachedPod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

export function createdAt(pod: CachedPod): number {
  const t = pod.metadata.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : Number.NaN;
  return Number.isNaN(t) ? Date.now() : t;
}

interface OwnerState {
  owner: PodOwner;
  workload: WorkloadRef;
  pods: Set<string>;
  /** Admission times of in-flight pods, oldest first. */
  inflightSpot: number[];
  inflightOnDemand: number[];
  /** Last time a pod of this owner appeared, changed, left, or was evicted (stabilization). */
  lastUpdate: number;
}

export interface OwnerSnapshot {
  owner: PodOwner;
  workload: WorkloadRef;
  spotPods: CachedPod[];
  onDemandPods: CachedPod[];
  inflightSpot: number;
  inflightOnDemand: number;
  lastUpdate: number;
}

export interface TrackerOptions {
  /** An admission the watch has not confirmed after this long is forgotten (its create failed). */
  inflightTtlMs?: number;
  now?: () => number;
  /** A spot pod left Pending (scheduled) after this many seconds. */
  onSpotPodScheduled?: (seconds: number) => void;
  /** Something about this workload's pods changed. */
  onChange?: (workload: WorkloadRef) => void;
}

export class SpotTracker {
  private readonly owners = new Map<string, OwnerState>();
  /** Pod key → owner key, to find a pod's owner when it leaves or changes owner. */
  private readonly podOwners = new Map<string, string>();
  private readonly inflightTtlMs: number;
  private readonly now: () => number;
  private isReady = false;

  constructor(
    private readonly pods: PodCache,
    private readonly options: TrackerOptions = {},
  ) {
    this.inflightTtlMs = options.inflightTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
    pods
      .on("add", (pod) => this.observe(pod))
      .on("update", (old, pod) => {
        this.observe(pod);
        if (old.status.phase === "Pending" && pod.status.phase !== "Pending" && isSpotAssigned(pod)) {
          this.options.onSpotPodScheduled?.((this.now() - createdAt(pod)) / 1000);
        }
      })
      .on("delete", (pod) => this.forget(podKey(pod)));
  }

  /** Marks the tracker usable: call once the pod cache and the workload config have synced. */
  markReady(): void {
    this.isReady = true;
  }

  ready(): boolean {
    return this.isReady;
  }

  /**
   * Decides and records an admission for an owner: `decide` sees the owner's counts including
   * in-flight admissions. Returns the decision. Dry runs are decided but not recorded.
   */
  admit(
    o: Ownership,
    decide: (counts: OwnerCounts) => "spot" | "on-demand",
    { dryRun = false } = {},
  ): "spot" | "on-demand" {
    const state = this.ownerState(o);
    const decision = decide(this.countsOf(state));
    if (!dryRun) {
      (decision === "spot" ? state.inflightSpot : state.inflightOnDemand).push(this.now());
      this.options.onChange?.(state.workload);
    }
    return decision;
  }

  counts(o: Ownership): OwnerCounts {
    const state = this.owners.get(ownerKey(o.owner));
    return state ? this.countsOf(state) : { spot: 0, onDemand: 0, inflightSpot: 0, inflightOnDemand: 0 };
  }

  /**
   * Owners with pods or in-flight admissions, sorted by owner key; only those whose workload
   * `include` accepts (the tracker indexes every ReplicaSet and StatefulSet pod of the cluster).
   */
  snapshot(include: (workload: WorkloadRef) => boolean = () => true): OwnerSnapshot[] {
    const result: OwnerSnapshot[] = [];
    for (const state of this.owners.values()) {
      this.expireInflight(state);
      if (this.dropIfEmpty(state) || !include(state.workload)) continue;
      const spotPods: CachedPod[] = [];
      const onDemandPods: CachedPod[] = [];
      for (const key of state.pods) {
        const [namespace = "", name = ""] = key.split("/");
        const pod = this.pods.get(namespace, name);
        if (!pod) continue;
        (isSpotAssigned(pod) ? spotPods : onDemandPods).push(pod);
      }
      result.push({
        owner: state.owner,
        workload: state.workload,
        spotPods,
        onDemandPods,
        inflightSpot: state.inflightSpot.length,
        inflightOnDemand: state.inflightOnDemand.length,
        lastUpdate: state.lastUpdate,
      });
    }
    return result.sort((a, b) => ownerKey(a.owner).localeCompare(ownerKey(b.owner)));
  }

  /** Spot pods still Pending that were created at or before `createdBefore`. */
  pendingSpotPods(createdBefore: number): { pod: CachedPod; owner: PodOwner; workload: WorkloadRef }[] {
    return this.snapshot().flatMap((s) =>
      s.spotPods
        .filter((pod) => pod.status.phase === "Pending" && createdAt(pod) <= createdBefore)
        .map((pod) => ({ pod, owner: s.owner, workload: s.workload })),
    );
  }

  /** Stamps an owner as just changed, so the rebalancer leaves it alone for a stabilization period. */
  touch(owner: PodOwner): void {
    const state = this.owners.get(ownerKey(owner));
    if (state) state.lastUpdate = this.now();
  }

  private countsOf(state: OwnerState): OwnerCounts {
    this.expireInflight(state);
    let spot = 0;
    let onDemand = 0;
    for (const key of state.pods) {
      const [namespace = "", name = ""] = key.split("/");
      const pod = this.pods.get(namespace, name);
      if (!pod) continue;
      if (isSpotAssigned(pod)) spot++;
      else onDemand++;
    }
    return {
      spot,
      onDemand,
      inflightSpot: state.inflightSpot.length,
      inflightOnDemand: state.inflightOnDemand.length,
    };
  }

  private expireInflight(state: OwnerState): void {
    const cutoff = this.now() - this.inflightTtlMs;
    while (state.inflightSpot.length > 0 && state.inflightSpot[0]! < cutoff) state.inflightSpot.shift();
    while (state.inflightOnDemand.length > 0 && state.inflightOnDemand[0]! < cutoff)
      state.inflightOnDemand.shift();
  }

  private ownerState(o: Ownership): OwnerState {
    const key = ownerKey(o.owner);
    let state = this.owners.get(key);
    if (!state) {
      state = {
        owner: o.owner,
        workload: o.workload,
        pods: new Set(),
        inflightSpot: [],
        inflightOnDemand: [],
        lastUpdate: this.now(),
      };
      this.owners.set(key, state);
    }
    return state;
  }

  private observe(pod: CachedPod): void {
    const key = podKey(pod);
    const o = resolveOwnership(
      pod.metadata.namespace,
      pod.metadata.ownerReferences?.[0],
      pod.metadata.labels,
    );
    const previousOwner = this.podOwners.get(key);
    if (!o || isGone(pod) || (previousOwner && previousOwner !== ownerKey(o.owner))) this.forget(key);
    if (!o || isGone(pod)) return;
    const state = this.ownerState(o);
    if (!state.pods.has(key)) {
      state.pods.add(key);
      this.podOwners.set(key, ownerKey(o.owner));
      // The watch now shows a pod the webhook admitted: it is no longer in flight.
      (isSpotAssigned(pod) ? state.inflightSpot : state.inflightOnDemand).shift();
    }
    state.lastUpdate = this.now();
    this.options.onChange?.(state.workload);
  }

  private forget(key: string): void {
    const owner = this.podOwners.get(key);
    if (owner === undefined) return;
    this.podOwners.delete(key);
    const state = this.owners.get(owner);
    if (!state) return;
    state.pods.delete(key);
    state.lastUpdate = this.now();
    this.options.onChange?.(state.workload);
    this.dropIfEmpty(state);
  }

  /** Forgets an owner with no pods and nothing in flight; returns whether it did. */
  private dropIfEmpty(state: OwnerState): boolean {
    if (state.pods.size > 0 || state.inflightSpot.length > 0 || state.inflightOnDemand.length > 0)
      return false;
    this.owners.delete(ownerKey(state.owner));
    return true;
  }
}
