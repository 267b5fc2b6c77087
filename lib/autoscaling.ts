// Names of workload autoscaling shared by the controller, the dashboard and the tests.

export const DPA_API_VERSION = "datadoghq.com/v1alpha2";
export const DPA_KIND = "DatadogPodAutoscaler";
export const DPACP_KIND = "DatadogPodAutoscalerClusterProfile";
export const DPA_PATH = "/apis/datadoghq.com/v1alpha2/datadogpodautoscalers";
export const DPACP_PATH = "/apis/datadoghq.com/v1alpha2/datadogpodautoscalerclusterprofiles";

/** On a DatadogPodAutoscaler made from a cluster profile: the profile's name. */
export const PROFILE_LABEL = "autoscaling.datadoghq.com/profile";

/** Why an autoscaler is in Error (the Error and Active conditions' reason). */
export const AUTOSCALER_REASONS = {
  /** Active=True, Error=False */
  targetResolved: "TargetResolved",
  /** the target's kind, API group or object does not exist */
  targetNotFound: "TargetNotFound",
  /** the spec cannot work as written (missing apiVersion, minReplicas > maxReplicas, a target without a scale subresource) */
  invalidSpec: "InvalidSpec",
  /** the API server did not answer the lookup (retried) */
  targetLookupFailed: "TargetLookupFailed",
} as const;

export const PROFILE_REASONS = { valid: "Valid", invalidTemplate: "InvalidTemplate" } as const;

export type { Condition } from "./conditions";
