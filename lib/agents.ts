// DatadogAgent domain shared by the controller and the dashboard: the experiment phases and
// status fields of datadog-operator PR #2760, revision causes, and what redaction means for a spec.
import type { Json } from "./merge-patch";
import { redact, secretPaths } from "./redact";

export { REDACTED } from "./redact";

export const EXPERIMENT_PHASES = ["running", "rollback", "promoted", "aborted", "timeout"] as const;
export type ExperimentPhase = (typeof EXPERIMENT_PHASES)[number];

/** status.experiment, field for field as upstream, plus fleetdeck's per-experiment timeout. */
export interface ExperimentStatus {
  phase?: ExperimentPhase;
  startedAt?: string;
  baselineRevision?: string;
  id?: string;
  expectedSpecHash?: string;
  /** fleetdeck extension: the upstream 30 minutes when absent. */
  timeoutSeconds?: number;
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
