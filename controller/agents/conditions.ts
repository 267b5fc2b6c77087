// The conditions fleetdeck writes in a DatadogAgent's status.conditions (metav1.Condition, a
// list keyed by type that the operator's CRD keeps): the operator's own types are left alone,
// fleetdeck's are prefixed. Pure: the reconciler merges them into what the object has.
import { endReasonOf, type EndReason, type ExperimentStatus } from "../../lib/agents";
import type { Condition } from "../../lib/conditions";
import { RECONCILED_CONDITION } from "../../lib/read-model/agents";
import { redactText } from "../../lib/redact";

export const FLEETDECK_CONDITIONS = {
  /** The spec at observedGeneration is rendered and its agents can get their keys. */
  reconciled: RECONCILED_CONDITION,
  /** The spec has fields fleetdeck does not render (support.ts); the message lists them. */
  unsupportedFields: "FleetdeckUnsupportedFields",
  /** The experiment: running, or how it ended, with fleetdeck's reason. */
  experiment: "FleetdeckExperiment",
} as const;

/** A condition's message is at most 32768 characters in the schema. */
const MESSAGE_MAX = 4096;
const clip = (text: string) => (text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX - 1)}…` : text);

export function reconciledCondition(
  outcome: {
    revision: string;
    failed: string | null;
    credentials: string[];
    noApiKey: boolean;
    conflict: string | null;
  },
  generation: number,
): Condition {
  const base = { type: FLEETDECK_CONDITIONS.reconciled, observedGeneration: generation };
  if (outcome.failed) {
    return { ...base, status: "False", reason: "RenderFailed", message: clip(redactText(outcome.failed)) };
  }
  if (outcome.conflict) {
    return {
      ...base,
      status: "False",
      reason: "SecretConflict",
      message: clip(
        `revision ${outcome.revision} is rendered, but its agents cannot get their keys: ${outcome.conflict}`,
      ),
    };
  }
  if (outcome.noApiKey) {
    return {
      ...base,
      status: "False",
      reason: "NoAPIKey",
      message: `revision ${outcome.revision} is rendered without an API key: set global.credentials.apiKey or apiSecret`,
    };
  }
  if (outcome.credentials.length > 0) {
    return {
      ...base,
      status: "False",
      reason: "SecretNotFound",
      message: clip(
        `revision ${outcome.revision} is rendered, but its agents cannot start: ${outcome.credentials.join("; ")}`,
      ),
    };
  }
  return {
    ...base,
    status: "True",
    reason: "Reconciled",
    message: `revision ${outcome.revision} is rendered`,
  };
}

export function unsupportedCondition(fields: string[], generation: number): Condition {
  const base = { type: FLEETDECK_CONDITIONS.unsupportedFields, observedGeneration: generation };
  if (fields.length === 0) {
    return {
      ...base,
      status: "False",
      reason: "AllFieldsRendered",
      message: "every field of the spec is rendered",
    };
  }
  return {
    ...base,
    status: "True",
    reason: "FieldsIgnored",
    message: clip(
      `fleetdeck does not render ${fields.join(", ")}: these fields have no effect on the agents it runs`,
    ),
  };
}

/** The reason of each end, as a condition reason (CamelCase). */
const END_CONDITION_REASONS: Record<EndReason, string> = {
  promoted: "Promoted",
  stopped: "Stopped",
  timed_out: "TimedOut",
  unhealthy: "Unhealthy",
  conflict: "Conflict",
};

/** The experiment as a condition: True while it runs; False once ended, with fleetdeck's reason. */
export function experimentCondition(
  exp: ExperimentStatus,
  detail: string | null,
  generation: number,
): Condition {
  const base = { type: FLEETDECK_CONDITIONS.experiment, observedGeneration: generation };
  const id = exp.id ?? "?";
  if (exp.phase === "running") {
    return {
      ...base,
      status: "True",
      reason: "Running",
      message: `experiment ${id} is running${exp.baselineRevision ? ` (baseline ${exp.baselineRevision})` : ""}`,
    };
  }
  const end = endReasonOf(exp);
  const reason = end ? END_CONDITION_REASONS[end] : "Ended";
  const what = `experiment ${id} ${exp.phase}${exp.terminationReason ? ` (${exp.terminationReason})` : ""}`;
  return {
    ...base,
    status: "False",
    reason,
    message: clip(redactText(detail ? `${what}: ${detail}` : what)),
  };
}
