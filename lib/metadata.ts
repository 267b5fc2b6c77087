// The metadata send log's vocabulary, shared by the controller (writer) and the dashboard
// (reader), so the two cannot drift apart.

export const FORWARDERS = ["crd", "helm"] as const;
export type ForwarderName = (typeof FORWARDERS)[number];

/** Why a payload was sent: first sight, a change, the periodic heartbeat, or a retry after a failure. */
export const SEND_REASONS = ["create", "update", "heartbeat", "retry"] as const;
export type SendReason = (typeof SEND_REASONS)[number];

/** sent: the intake accepted it (2xx); failed: an error or a 4xx/5xx; skipped: not sendable (e.g. an undecodable Helm release). */
export const SEND_STATUSES = ["sent", "failed", "skipped"] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

/** The kinds each forwarder reports. A Helm release is reported under its release name. */
export const METADATA_KINDS = [
  "DatadogAgent",
  "DatadogAgentInternal",
  "DatadogAgentProfile",
  "HelmRelease",
] as const;

/** One watch of a forwarder as the dashboard shows it. */
export interface WatchInfo {
  kind: string;
  /** API group ("" is the core group). */
  group: string;
  resource: string;
  /** The one namespace watched (FLEETDECK_METADATA_HELM_NAMESPACES); absent: all namespaces. */
  namespace?: string;
  /** Why it is not watched (denied watches only). */
  reason?: string;
}

/** on: forwarding; off: not configured (no API key); standby: this controller does not lead. */
export type ForwarderState = "on" | "off" | "standby";

/** The leader rewrites forwarder status at least every 30 s; older than this, it has stopped reporting. */
export const FORWARDER_STATUS_STALE_AFTER_MS = 75_000;
