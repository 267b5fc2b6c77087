// The spot scheduler's Kubernetes Events, exactly as upstream (PR #52810): reason, type, the
// object each is attached to, and message; reported by `datadog-cluster-autoscaler`, so
// `kubectl get events` answers "why is this workload on-demand?" and "when will spot resume?".
// Each event is also appended to the dashboard's timeline of its workload.
import { formatRfc3339, SPOT_EVENT_REASONS, SPOT_REPORTING_CONTROLLER } from "../../../lib/spot";
import type { KubeClient } from "../../kube/client";
import { EventRecorder, type EventInput } from "../../kube/events";
import type { Logger } from "../../log";
import type { CachedPod } from "../pod-cache";
import type { WorkloadRef } from "./workload-config";

export interface SpotEventRecord {
  at: Date;
  workload: WorkloadRef;
  reason: string;
  type: "Warning" | "Normal";
  object: { kind: string; name: string };
  message: string;
}

export class SpotEvents {
  private readonly recorder: EventRecorder;
  private lastAt = 0;

  constructor(
    client: KubeClient,
    controllerId: string,
    log: Logger,
    /** Receives every event (the read model's timeline). */
    private readonly sink: (event: SpotEventRecord) => void,
  ) {
    this.recorder = new EventRecorder(
      client,
      { reportingController: SPOT_REPORTING_CONTROLLER, reportingInstance: controllerId },
      log,
    );
  }

  rebalancingEviction(workload: WorkloadRef, pod: CachedPod, capacity: "spot" | "on-demand"): void {
    this.record(workload, {
      regarding: podRef(pod),
      type: "Warning",
      reason: SPOT_EVENT_REASONS.rebalancingEviction,
      action: "Evict",
      note: `Evicted ${capacity} pod for rebalancing`,
    });
  }

  fallbackEviction(workload: WorkloadRef, pod: CachedPod): void {
    this.record(workload, {
      regarding: podRef(pod),
      type: "Warning",
      reason: SPOT_EVENT_REASONS.fallbackEviction,
      action: "Evict",
      note: "Evicted timed-out pending spot pod for on-demand fallback",
    });
  }

  schedulingDisabled(workload: WorkloadRef, uid: string, until: number): void {
    this.record(workload, {
      regarding: {
        apiVersion: "apps/v1",
        kind: workload.kind,
        name: workload.name,
        namespace: workload.namespace,
        uid,
      },
      type: "Warning",
      reason: SPOT_EVENT_REASONS.schedulingDisabled,
      action: "DisableSpot",
      note: `Disabled spot scheduling until ${formatRfc3339(until)}`,
    });
  }

  /** Writes pending series counts (identical events folded together). */
  flush(): Promise<void> {
    return this.recorder.flush();
  }

  private record(workload: WorkloadRef, input: EventInput): void {
    // Events carry the time they are recorded with millisecond precision; keep them strictly
    // increasing so "in the order given" survives sorting by time.
    const now = Date.now();
    if (now <= this.lastAt) {
      const until = this.lastAt + 1;
      while (Date.now() < until) {
        // at most a millisecond
      }
    }
    this.lastAt = Date.now();
    this.recorder.record(input);
    this.sink({
      at: new Date(this.lastAt),
      workload,
      reason: input.reason,
      type: input.type,
      object: { kind: input.regarding.kind, name: input.regarding.name },
      message: input.note,
    });
  }
}

function podRef(pod: CachedPod) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    uid: pod.metadata.uid,
  };
}
