// DatadogAgent domain shared by the controller and the dashboard: the experiment phases and
// status fields of datadog-operator PR #2760, revision causes, and secret redaction.
import { isJsonObject, type Json, type JsonObject } from "./merge-patch";

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

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;
export const REDACTED = "[redacted]";

/**
 * Calls `visit` for every literal secret in a spec: env entries of the agents whose name looks
 * secret and whose value is given inline (a `valueFrom.secretKeyRef` is fine), and inline
 * API/app keys. `holder[key]` is the secret value.
 */
function forEachLiteralSecret(
  spec: unknown,
  visit: (path: string, holder: JsonObject, key: string) => void,
): void {
  if (!isJsonObject(spec)) return;
  const credentials = isJsonObject(spec.global) ? spec.global.credentials : undefined;
  if (isJsonObject(credentials)) {
    for (const key of ["apiKey", "appKey"]) {
      if (typeof credentials[key] === "string") visit(`global.credentials.${key}`, credentials, key);
    }
  }
  if (!isJsonObject(spec.override)) return;
  for (const [component, value] of Object.entries(spec.override)) {
    const env = isJsonObject(value) ? value.env : undefined;
    if (!Array.isArray(env)) continue;
    env.forEach((entry, i) => {
      if (
        isJsonObject(entry) &&
        typeof entry.name === "string" &&
        SECRET_NAME.test(entry.name) &&
        typeof entry.value === "string" &&
        entry.value !== ""
      ) {
        visit(`override.${component}.env[${i}] (${entry.name})`, entry, "value");
      }
    });
  }
}

/** Where a spec holds a literal secret, e.g. "override.nodeAgent.env[0] (DD_API_KEY)". */
export function literalSecretPaths(spec: unknown): string[] {
  const paths: string[] = [];
  forEachLiteralSecret(spec, (path) => paths.push(path));
  return paths;
}

/** A copy of the spec with literal secret values replaced, safe to store in SQLite and show. */
export function redactSpec(spec: unknown): { spec: Json; redacted: boolean } {
  const copy = structuredClone(spec) as Json;
  let redacted = false;
  forEachLiteralSecret(copy, (_path, holder, key) => {
    holder[key] = REDACTED;
    redacted = true;
  });
  return { spec: copy, redacted };
}
