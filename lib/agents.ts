// DatadogAgent domain shared by the controller and the dashboard: the experiment phases and
// status fields of the datadog-operator's API, fleetdeck's reasons beside them, revision causes,
// and what redaction means for a spec.
import { isJsonObject, type Json, type JsonObject } from "./merge-patch";
import { REDACTED, redact, secretPaths } from "./redact";

export { REDACTED } from "./redact";

/** status.experiment.phase, as the datadog-operator's API (v2alpha1 ExperimentPhase) has it. */
export const EXPERIMENT_PHASES = ["running", "terminated", "promoted", "aborted"] as const;
export type ExperimentPhase = (typeof EXPERIMENT_PHASES)[number];

/**
 * Why an experiment ended, in fleetdeck's words (richer than upstream's), and what each is in
 * the operator's status: a phase, and for `terminated` its terminationReason. Upstream knows
 * `stopped` and `timed_out`; `unhealthy` (the health gate) is fleetdeck's own value of that
 * free-form field; a `conflict` (an outside edit) is upstream's `aborted`, which has no reason.
 */
export const END_REASONS = {
  promoted: { phase: "promoted", outcome: "promoted", label: "promoted: the candidate stays" },
  stopped: {
    phase: "terminated",
    terminationReason: "stopped",
    outcome: "rolled-back",
    label: "stopped: the baseline was restored",
  },
  timed_out: {
    phase: "terminated",
    terminationReason: "timed_out",
    outcome: "timed-out",
    label: "timed out without a promote: the baseline was restored",
  },
  unhealthy: {
    phase: "terminated",
    terminationReason: "unhealthy",
    outcome: "rolled-back",
    label: "the health gate found the candidate unhealthy: the baseline was restored",
  },
  conflict: {
    phase: "aborted",
    outcome: "aborted",
    label: "aborted: the spec was edited during the experiment (the edit stays)",
  },
} as const satisfies Record<
  string,
  {
    phase: Exclude<ExperimentPhase, "running">;
    terminationReason?: string;
    outcome: ExperimentOutcome;
    label: string;
  }
>;
export type EndReason = keyof typeof END_REASONS;

/** Whether an end restores the baseline (a rollback); promote and an abort keep the spec as it is. */
export function restoresBaseline(end: EndReason): boolean {
  return END_REASONS[end].phase === "terminated";
}

/** fleetdeck's reason of an ended experiment from what the cluster's status says. */
export function endReasonOf(exp: { phase?: string; terminationReason?: string }): EndReason | undefined {
  if (exp.phase === "promoted") return "promoted";
  if (exp.phase === "aborted") return "conflict";
  if (exp.phase !== "terminated") return undefined;
  const reason = exp.terminationReason;
  return reason === "timed_out" || reason === "unhealthy" ? reason : "stopped";
}

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

/**
 * An experiment as fleetdeck knows it: the operator's status.experiment, field for field, and
 * what fleetdeck keeps beside it in its store (docs/experiments.md, "Where the state lives").
 */
export interface ExperimentStatus {
  /** status.experiment (the operator's API). */
  phase?: ExperimentPhase;
  id?: string;
  /** The timeout's anchor: when the experiment started running. */
  startedAt?: string;
  /** The Fleet Automation task that started it (upstream; fleetdeck keeps what it finds). */
  startTaskID?: string;
  /** With `terminated`: stopped, timed_out or (fleetdeck) unhealthy. */
  terminationReason?: string;
  /** fleetdeck's store: the revision the experiment started from, restored when it ends by a rollback. */
  baselineRevision?: string;
  /** fleetdeck's store: the candidate's spec hash while its spec write has not landed yet. */
  expectedSpecHash?: string;
  /** fleetdeck's store: its timeout (the controller's default when started without one). */
  timeoutSeconds?: number;
  /** fleetdeck's store: the gate's settings, resolved at the start. */
  healthGate?: HealthGateSettings;
  /** fleetdeck's store: an end decided but not yet carried out in the cluster (a restore to finish). */
  ending?: EndReason;
}

/** An agent's state as fleetdeck knows it: revision pointers from its store, the experiment. */
export interface AgentStatus {
  currentRevision?: string;
  previousRevision?: string;
  experiment?: ExperimentStatus;
}

/** Today's upstream timeout (ExperimentDefaultTimeout): 15 minutes. */
export const DEFAULT_EXPERIMENT_TIMEOUT_SECONDS = 15 * 60;

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

/**
 * `spec` (a revision, whose literal secrets fleetdeck never keeps) with every redacted value
 * replaced by the value at the same place in `current` (list items matched by their `name`
 * when they have one, as env entries do): a restore keeps today's secrets. What `current` does
 * not have is listed in `missing`. With `currentRedacted` (the dashboard, which sees the current
 * spec redacted too), a redacted value in `current` counts as one it has.
 */
export function withCurrentSecrets(
  spec: JsonObject,
  current: Json,
  { currentRedacted = false }: { currentRedacted?: boolean } = {},
): { spec: JsonObject; missing: string[] } {
  const missing: string[] = [];
  const fill = (value: Json, from: Json | undefined, path: string): Json => {
    if (value === REDACTED) {
      if (typeof from === "string" && from !== "" && (currentRedacted || from !== REDACTED)) return from;
      missing.push(path);
      return value;
    }
    if (Array.isArray(value)) {
      const list = Array.isArray(from) ? from : [];
      return value.map((item, i) => {
        const name = isJsonObject(item) ? item.name : undefined;
        const match =
          typeof name === "string" ? list.find((f) => isJsonObject(f) && f.name === name) : list[i];
        return fill(item, match, `${path}[${i}]`);
      });
    }
    if (isJsonObject(value)) {
      const source = isJsonObject(from) ? from : {};
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, fill(v, source[k], path ? `${path}.${k}` : k)]),
      );
    }
    return value;
  };
  return { spec: fill(spec, current, "") as JsonObject, missing };
}
