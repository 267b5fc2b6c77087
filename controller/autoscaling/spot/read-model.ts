// The spot read model in the store, written by the leader for its cluster: one SpotWorkload row per workload
// (settings, actual split, target split, pending spot pods, disabled window) and the SpotEvent
// timeline. Rows are rewritten only when they change, each write with its Change row, so the
// dashboard refetches exactly when something moved. The workload gauges are set here too.
import type { Database } from "../../../lib/db/open";
import { withRetry } from "../../../lib/db/open";
import type { SpotWorkloadRow } from "../../../lib/read-model/spot";
import { TOPICS } from "../../../lib/topics";
import { flushEveryRun } from "../../kube/periodic";
import { recordChange } from "../../store/changes";
import { spotMetrics, workloadLabelsOf } from "./metrics";
import { targetSplit } from "./placement";
import { createdAt, type OwnerSnapshot } from "./tracker";
import type { SpotEventRecord } from "./events";
import { workloadKey, type WorkloadConfig, type WorkloadRef } from "./workload-config";

/**
 * One row per opted-in workload, plus one per opted-out workload that still has spot pods
 * (shown with a 0 % target: the rebalancer moves them back to on-demand).
 * A Deployment's ReplicaSets are added up; the target is the split for the workload's total.
 */
export function buildWorkloadRows(
  owners: OwnerSnapshot[],
  configs: WorkloadConfig[],
  wasOptedOut: (ref: WorkloadRef) => boolean,
  now: number,
): SpotWorkloadRow[] {
  const byWorkload = new Map<string, { ref: WorkloadRef; owners: OwnerSnapshot[] }>();
  for (const o of owners) {
    const key = workloadKey(o.workload);
    const entry = byWorkload.get(key) ?? { ref: o.workload, owners: [] };
    entry.owners.push(o);
    byWorkload.set(key, entry);
  }
  const rows: SpotWorkloadRow[] = [];
  const seen = new Set<string>();
  const row = (ref: WorkloadRef, config: WorkloadConfig | undefined, list: OwnerSnapshot[]) => {
    const spot = list.flatMap((o) => o.spotPods);
    const onDemandPods = list.reduce((n, o) => n + o.onDemandPods.length, 0);
    const pending = spot.filter((p) => p.status.phase === "Pending").map(createdAt);
    const settings = config?.settings ?? { percentage: 0, minOnDemand: 0 };
    const target = targetSplit(spot.length + onDemandPods, settings);
    const disabled = config?.disabledUntil !== undefined && config.disabledUntil > now;
    rows.push({
      key: workloadKey(ref),
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      optedIn: config !== undefined,
      replicas: config?.replicas ?? null,
      percentage: settings.percentage,
      minOnDemand: settings.minOnDemand,
      configError: config?.configError ?? null,
      spotPods: spot.length,
      onDemandPods,
      pendingSpotPods: pending.length,
      oldestPendingAt: pending.length > 0 ? new Date(Math.min(...pending)) : null,
      targetSpot: target.spot,
      targetOnDemand: target.onDemand,
      disabledUntil: disabled ? new Date(config.disabledUntil!) : null,
    });
  };
  for (const config of configs) {
    const key = workloadKey(config.ref);
    seen.add(key);
    row(config.ref, config, byWorkload.get(key)?.owners ?? []);
  }
  for (const [key, { ref, owners: list }] of byWorkload) {
    if (seen.has(key) || !wasOptedOut(ref) || !list.some((o) => o.spotPods.length > 0)) continue;
    row(ref, undefined, list);
  }
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}

export class SpotReadModel {
  private written = new Map<string, string>();
  private pendingEvents: SpotEventRecord[] = [];
  private lastPrune = 0;
  /** Set for a leadership's first flush: it also deletes rows a previous leader left behind. */
  private fullSync = true;

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly rows: () => SpotWorkloadRow[],
  ) {}

  /** The workloads the store shows (a previous leader's rows included). */
  async storedKeys(): Promise<string[]> {
    const rows = await this.db.spotWorkload.findMany({
      where: { clusterId: this.clusterId },
      select: { key: true },
    });
    return rows.map((r) => r.key);
  }

  /** Queues an event for the timeline (written at the next flush). */
  appendEvent(event: SpotEventRecord): void {
    this.pendingEvents.push(event);
  }

  /**
   * The leader's periodic write (every half second, ./setup.ts). After the last one, when it
   * stops leading, it forgets what it wrote (the next leadership rewrites every row) and clears
   * the workload gauges, which are the leader's to report.
   */
  readonly sync = flushEveryRun(
    () => this.flush(),
    () => {
      this.written = new Map();
      this.fullSync = true;
      for (const gauge of [
        spotMetrics.pods,
        spotMetrics.excessPods,
        spotMetrics.workloads,
        spotMetrics.activeFallbacks,
      ])
        gauge.reset();
    },
  );

  /** Writes what changed since the last flush, in one transaction with its Change rows. */
  async flush(): Promise<void> {
    const rows = this.rows();
    this.setGauges(rows);
    const now = new Date();
    const changed = rows.filter((r) => this.written.get(r.key) !== JSON.stringify(r));
    const keys = new Set(rows.map((r) => r.key));
    const events = this.pendingEvents.splice(0);
    const removed = [...this.written.keys()].filter((k) => !keys.has(k));
    if (changed.length === 0 && removed.length === 0 && events.length === 0 && !this.fullSync) return;
    const clusterId = this.clusterId;
    try {
      await withRetry(() =>
        this.db.$transaction(async (tx) => {
          for (const r of changed) {
            await tx.spotWorkload.upsert({
              where: { clusterId_key: { clusterId, key: r.key } },
              create: { ...r, clusterId, updatedAt: now },
              update: { ...r, updatedAt: now },
            });
            await recordChange(tx, TOPICS.spot, r.key);
          }
          // Rows of workloads that are gone (including any a previous leader left behind).
          const gone = await tx.spotWorkload.deleteMany({ where: { clusterId, key: { notIn: [...keys] } } });
          if (gone.count > 0) await recordChange(tx, TOPICS.spot);
          for (const e of events) {
            await tx.spotEvent.create({
              data: {
                clusterId,
                at: e.at,
                workloadKey: workloadKey(e.workload),
                reason: e.reason,
                type: e.type,
                objectKind: e.object.kind,
                objectName: e.object.name,
                message: e.message,
              },
            });
          }
          if (events.length > 0) await recordChange(tx, TOPICS.spot, "events");
        }),
      );
    } catch (error) {
      this.pendingEvents.unshift(...events);
      throw error;
    }
    for (const r of changed) this.written.set(r.key, JSON.stringify(r));
    for (const k of removed) this.written.delete(k);
    this.fullSync = false;
    if (Date.now() - this.lastPrune > 10 * 60_000) {
      this.lastPrune = Date.now();
      await this.db.spotEvent.deleteMany({
        where: { clusterId, at: { lt: new Date(Date.now() - 7 * 24 * 3600_000) } },
      });
    }
  }

  private setGauges(rows: SpotWorkloadRow[]): void {
    spotMetrics.pods.reset();
    spotMetrics.excessPods.reset();
    spotMetrics.workloads.reset();
    spotMetrics.activeFallbacks.reset();
    const byKind: Record<string, { workloads: number; fallbacks: number }> = {
      Deployment: { workloads: 0, fallbacks: 0 },
      StatefulSet: { workloads: 0, fallbacks: 0 },
    };
    for (const r of rows) {
      const labels = workloadLabelsOf(r);
      spotMetrics.pods.set({ ...labels, capacity_type: "spot" }, r.spotPods);
      spotMetrics.pods.set({ ...labels, capacity_type: "on_demand" }, r.onDemandPods);
      spotMetrics.excessPods.set(
        { ...labels, capacity_type: "spot" },
        Math.max(0, r.spotPods - r.targetSpot),
      );
      spotMetrics.excessPods.set(
        { ...labels, capacity_type: "on_demand" },
        Math.max(0, r.onDemandPods - r.targetOnDemand),
      );
      if (!r.optedIn) continue;
      byKind[r.kind]!.workloads++;
      if (r.disabledUntil) byKind[r.kind]!.fallbacks++;
    }
    for (const [kind, n] of Object.entries(byKind)) {
      spotMetrics.workloads.set({ workload_kind: kind }, n.workloads);
      spotMetrics.activeFallbacks.set({ workload_kind: kind }, n.fallbacks);
    }
  }
}
