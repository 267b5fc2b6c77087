// DatadogAgent domain shared by the controller and the dashboard: the experiment phases and
// status fields of datadog-operator PR #2760, revision causes, and what redaction means for a spec.
import type { Json } from "./merge-patch";
import { redact, secretPaths } from "./redact";

export { REDACTED } from "./redact";

export const EXPERIMENT_PHASES = ["running", "rollback", "promoted", "aborted", "timeout"] as const;
export type ExperimentPhase = (typeof EXPERIMENT_PHASES)[number];

/** Why fleetdeck ended an experiment by itself (a fleetdeck extension; upstream has none). */
export const EXPERIMENT_REASONS = ["unhealthy"] as const;
export type ExperimentReason = (typeof EXPERIMENT_REASONS)[number];

/**
 * An experiment's health gate (docs/health.md): when more than `thresholdPercent` of the
 * candidate revision's pods (at least one) have been unavailable for `graceSeconds`, the
 * experiment is rolled back; with `enabled` false it is only reported.
 */
export interface HealthGateSettings {
  enabled: boolean;
  thresholdPercent: number;
  graceSeconds: number;
}

export const DEFAULT_HEALTH_GATE: HealthGateSettings = {
  enabled: true,
  thresholdPercent: 10,
  graceSeconds: 120,
};

/** status.experiment, field for field as upstream, plus fleetdeck's extensions. */
export interface ExperimentStatus {
  phase?: ExperimentPhase;
  startedAt?: string;
  baselineRevision?: string;
  id?: string;
  expectedSpecHash?: string;
  /** fleetdeck extension: the upstream 30 minutes when absent. */
  timeoutSeconds?: number;
  /** fleetdeck extension: set with phase rollback when the health gate rolled the experiment back. */
  reason?: ExperimentReason;
  /** fleetdeck extension: the gate's settings, resolved at the start (the controller's defaults when absent). */
  healthGate?: HealthGateSettings;
}

export interface AgentStatus {
  observedGeneration?: number;
  currentRevision?: string;
  previousRevision?: string;
  experiment?: ExperimentStatus;
}

/** Upstream's timeout (DefaultExperimentTimeout): 30 minutes. */
export const DEFAULT_EXPERIMENT_TIMEOUT_SECONDS = 30 * 60;

/** Why a revision became current (or was confirmed, for promote). */
export const REVISION_CAUSES = [
  "user-edit",
  "experiment-start",
  "rollback",
  "timeout",
  "restore",
  "promote",
] as const;
export type RevisionCause = (typeof REVISION_CAUSES)[number];

/** How an experiment ended. */
export type ExperimentOutcome = "promoted" | "rolled-back" | "timed-out" | "aborted";

/** Seconds left before an experiment's timeout (negative once past), or null before it starts. */
export function secondsLeft(
  startedAt: string | null | undefined,
  timeoutSeconds: number,
  now: number,
): number | null {
  if (!startedAt) return null;
  return Math.round((new Date(startedAt).getTime() + timeoutSeconds * 1000 - now) / 1000);
}

/**
 * Where a spec (or an experiment's partial spec) holds a literal secret, by the one redactor's
 * rules, e.g. "override.nodeAgent.env[0].value (DD_API_KEY)". A Secret reference
 * (`valueFrom.secretKeyRef`, `credentials.apiSecret`) is not one.
 */
export function literalSecretPaths(spec: unknown): string[] {
  return secretPaths(spec);
}

/** A copy of the spec with literal secret values replaced, safe to store in SQLite and show. */
export function redactSpec(spec: unknown): { spec: Json; redacted: boolean } {
  const { value, paths } = redact(spec as Json);
  return { spec: value, redacted: paths.length > 0 };
}
