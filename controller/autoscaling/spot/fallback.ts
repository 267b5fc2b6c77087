// On-demand fallback (upstream's, in datadog-agent pkg/clusteragent/autoscaling/cluster/spot): spot
// pods Pending longer than schedule_timeout, grouped by workload; for each workload spot is
// disabled for fallback_duration (an existing window is not extended; if the annotation cannot be
// written the workload is skipped and nothing evicted), then each such pod is evicted if it is
// still Pending, so its controller recreates it, on-demand while spot is disabled. Events: one
// SpotSchedulingDisabled on the workload, then one SpotFallbackEviction per pod.
import { describeKubeError } from "../../kube/client";
import type { Logger } from "../../log";
import type { SpotActions } from "./actions";
import { spotMetrics, workloadLabelsOf } from "./metrics";
import { createdAt, type SpotTracker } from "./tracker";
import { workloadKey, type WorkloadConfigCache } from "./workload-config";

export class Fallback {
  constructor(
    private readonly tracker: SpotTracker,
    private readonly workloads: WorkloadConfigCache,
    private readonly actions: SpotActions,
    private readonly settings: { scheduleTimeoutMs: number; fallbackDurationMs: number },
    private readonly log: Logger,
  ) {}

  async runOnce(now = Date.now()): Promise<void> {
    const timedOut = this.tracker.pendingSpotPods(now - this.settings.scheduleTimeoutMs);
    if (timedOut.length === 0) return;
    const byWorkload = new Map<string, typeof timedOut>();
    for (const entry of timedOut) {
      const key = workloadKey(entry.workload);
      byWorkload.set(key, [...(byWorkload.get(key) ?? []), entry]);
    }
    for (const key of [...byWorkload.keys()].sort()) {
      const entries = byWorkload.get(key)!;
      const ref = entries[0]!.workload;
      const config = this.workloads.get(ref, now);
      // An opted-out workload has no window to open; its stuck pods are still evicted and come
      // back on-demand, since it is no longer opted in.
      if (config) {
        const until = Math.ceil((now + this.settings.fallbackDurationMs) / 1000) * 1000;
        const { updated } = this.workloads.disable(ref, now, until);
        if (updated) {
          try {
            await this.actions.patcher.setDisabledUntil(ref, until);
          } catch (error) {
            this.workloads.clearLocal(ref);
            this.log.error(
              { workload: key, err: describeKubeError(error) },
              "could not disable spot scheduling; not evicting its pending spot pods",
            );
            continue;
          }
          this.actions.events.schedulingDisabled(ref, config.uid, until);
          spotMetrics.fallbacks.inc(workloadLabelsOf(ref));
          this.log.info(
            { workload: key, until: new Date(until).toISOString(), pendingPods: entries.length },
            "on-demand fallback: spot scheduling disabled",
          );
          await this.actions.audit("spot.fallback", ref, {
            message: `spot pods Pending longer than ${this.settings.scheduleTimeoutMs / 1000} s; spot disabled until ${new Date(until).toISOString()}`,
            disabledUntil: new Date(until).toISOString(),
            pendingPods: entries.map((e) => e.pod.metadata.name),
          });
        }
      }
      // Oldest first, then by name: a stable order for events and logs.
      entries.sort(
        (a, b) =>
          createdAt(a.pod) - createdAt(b.pod) || a.pod.metadata.name.localeCompare(b.pod.metadata.name),
      );
      for (const { pod, owner } of entries) {
        const outcome = await this.actions.evict("fallback", ref, owner, pod, "Pending");
        if (outcome === "evicted") {
          this.actions.events.fallbackEviction(ref, pod);
          spotMetrics.fallbackEvictions.inc(workloadLabelsOf(ref));
        }
      }
    }
  }
}
