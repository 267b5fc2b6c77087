// The names of the spot scheduler's contract with Kubernetes users, exactly as upstream
// (datadog-agent's pkg/clusteragent/autoscaling/cluster/spot).
// Shared by the controller, the dashboard, the demo and the tests.

/** Workload opt-in: a Deployment or StatefulSet labelled `…/spot-enabled: "true"`. */
export const SPOT_ENABLED_LABEL = "autoscaling.datadoghq.com/spot-enabled";
export const SPOT_ENABLED_VALUE = "true";
/** Per-workload settings: `{"percentage":50,"minOnDemandReplicas":1}`; missing fields inherit the defaults. */
export const SPOT_CONFIG_ANNOTATION = "autoscaling.datadoghq.com/spot-config";
/** RFC 3339 time until which the workload's new pods go on-demand; unparsable means enabled. */
export const SPOT_DISABLED_UNTIL_ANNOTATION = "autoscaling.datadoghq.com/spot-disabled-until";
/** Set by the webhook on pods it assigned to spot. */
export const SPOT_ASSIGNED_LABEL = "autoscaling.datadoghq.com/spot-assigned";
export const SPOT_ASSIGNED_VALUE = "true";
/** Node label and taint key of spot nodes, and the value both carry. */
export const CAPACITY_TYPE_KEY = "autoscaling.datadoghq.com/capacity-type";
export const CAPACITY_TYPE_SPOT = "interruptible";

/** The reporting controller of the spot events, shared by upstream's cluster-autoscaling components. */
export const SPOT_REPORTING_CONTROLLER = "datadog-cluster-autoscaler";

export const SPOT_EVENT_REASONS = {
  rebalancingEviction: "SpotRebalancingEviction",
  fallbackEviction: "SpotFallbackEviction",
  schedulingDisabled: "SpotSchedulingDisabled",
} as const;

export const SPOT_WORKLOAD_KINDS = ["Deployment", "StatefulSet"] as const;
export type SpotWorkloadKind = (typeof SPOT_WORKLOAD_KINDS)[number];

/** Go's time.RFC3339 in UTC (whole seconds, "Z"), as upstream writes the annotation and the event. */
export function formatRfc3339(time: Date | number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}
