// Spot scheduling metrics on the controller's registry, mirroring upstream's
// datadog.cluster_agent.autoscaling.cluster.spot.* under fleetdeck_spot_ (Prometheus names:
// counters end in _total, durations in _seconds). Workload gauges are computed at scrape time
// from the tracker, and only the leader reports them (as upstream), so replicas do not double
// count; the webhook's own metrics are reported by every replica, since every replica serves it.
import { Counter, Gauge, Histogram, Summary } from "prom-client";
import { registry } from "../../kube/metrics";

const workloadLabels = ["namespace", "workload_kind", "workload"] as const;

export const spotMetrics = {
  pods: new Gauge({
    name: "fleetdeck_spot_pods",
    help: "Pods of spot-enabled workloads, by workload and capacity_type (spot, on_demand)",
    labelNames: [...workloadLabels, "capacity_type"],
    registers: [registry],
  }),
  excessPods: new Gauge({
    name: "fleetdeck_spot_excess_pods",
    help: "Pods above the target split, by workload and capacity_type: what the rebalancer will evict",
    labelNames: [...workloadLabels, "capacity_type"],
    registers: [registry],
  }),
  workloads: new Gauge({
    name: "fleetdeck_spot_workloads",
    help: "Workloads opted in to spot scheduling, by workload_kind",
    labelNames: ["workload_kind"],
    registers: [registry],
  }),
  activeFallbacks: new Gauge({
    name: "fleetdeck_spot_active_fallbacks",
    help: "Workloads whose spot scheduling is disabled right now (on-demand fallback), by workload_kind",
    labelNames: ["workload_kind"],
    registers: [registry],
  }),
  fallbacks: new Counter({
    name: "fleetdeck_spot_fallbacks_total",
    help: "On-demand fallbacks triggered (spot disabled for a workload after pending spot pods timed out)",
    labelNames: workloadLabels,
    registers: [registry],
  }),
  rebalanceEvictions: new Counter({
    name: "fleetdeck_spot_rebalance_evictions_total",
    help: "Pods evicted by the rebalancer, by workload and the evicted pod's capacity_type",
    labelNames: [...workloadLabels, "capacity_type"],
    registers: [registry],
  }),
  fallbackEvictions: new Counter({
    name: "fleetdeck_spot_fallback_evictions_total",
    help: "Timed-out Pending spot pods evicted for on-demand fallback",
    labelNames: workloadLabels,
    registers: [registry],
  }),
  evictionRefusals: new Counter({
    name: "fleetdeck_spot_eviction_refusals_total",
    help: "Evictions the API server refused (HTTP 429: a PodDisruptionBudget), retried on a later tick",
    labelNames: ["loop"],
    registers: [registry],
  }),
  pendingSeconds: new Histogram({
    name: "fleetdeck_spot_pending_seconds",
    help: "How long spot pods stayed Pending before they were scheduled",
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [registry],
  }),
  admissions: new Counter({
    name: "fleetdeck_spot_admissions_total",
    help: "Pod admissions by decision: spot, on-demand, disabled, not-opted-in, no-owner, not-ready, ignored",
    labelNames: ["decision"],
    registers: [registry],
  }),
  webhookErrors: new Counter({
    name: "fleetdeck_spot_webhook_rejected_requests_total",
    help: "Webhook requests answered with an HTTP error (malformed, oversized, wrong method or path)",
    labelNames: ["code"],
    registers: [registry],
  }),
  webhookDuration: new Summary({
    name: "fleetdeck_spot_webhook_duration_seconds",
    help: "Time the webhook takes to handle an AdmissionReview, from its body received to the response written",
    percentiles: [0.5, 0.9, 0.99, 0.999],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [registry],
  }),
  webhookRequestDuration: new Summary({
    name: "fleetdeck_spot_webhook_request_duration_seconds",
    help:
      "Time from an AdmissionReview's request headers received to the response written: the handling " +
      "time plus the wait for the body, which includes the sender's transmission and this process's event-loop delay",
    percentiles: [0.5, 0.9, 0.99, 0.999],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [registry],
  }),
};

export type WorkloadLabels = Record<(typeof workloadLabels)[number], string>;

export function workloadLabelsOf(ref: { kind: string; namespace: string; name: string }): WorkloadLabels {
  return { namespace: ref.namespace, workload_kind: ref.kind, workload: ref.name };
}
