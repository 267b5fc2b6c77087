// What fleetdeck writes in a DatadogPodAutoscaler's and a cluster profile's status, as pure
// functions: spec validation, the Active / Error conditions from a target lookup, the profile's
// Valid condition and template hash. No scaling recommendation is computed.
import { createHash } from "node:crypto";
import { AUTOSCALER_REASONS, PROFILE_REASONS, type Condition } from "../../../lib/autoscaling";

export interface TargetRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
}

export interface Constraints {
  minReplicas?: number;
  maxReplicas?: number;
}

export interface AutoscalerSpec {
  targetRef?: TargetRef;
  owner?: string;
  applyPolicy?: { mode?: string };
  constraints?: Constraints;
}

export type TargetLookup =
  | { found: true; replicas: number }
  | { found: false; reason: (typeof AUTOSCALER_REASONS)[keyof typeof AUTOSCALER_REASONS]; message: string };

/** Why the constraints cannot hold, or undefined. */
function constraintsProblem(c: Constraints | undefined, prefix: string): string | undefined {
  if (c?.minReplicas !== undefined && c.maxReplicas !== undefined && c.minReplicas > c.maxReplicas) {
    return `${prefix}.minReplicas (${c.minReplicas}) is greater than ${prefix}.maxReplicas (${c.maxReplicas})`;
  }
  return undefined;
}

/** Why the autoscaler's spec is invalid (before any lookup), or undefined. */
export function specProblem(spec: AutoscalerSpec | undefined): string | undefined {
  const ref = spec?.targetRef;
  if (!ref?.kind || !ref.name) return "spec.targetRef needs kind and name";
  if (!ref.apiVersion) return "spec.targetRef.apiVersion is required (e.g. apps/v1)";
  if (!/^([a-z0-9.-]+\/)?v\d+[a-z0-9]*$/.test(ref.apiVersion))
    return `spec.targetRef.apiVersion "${ref.apiVersion}" is not group/version`;
  return constraintsProblem(spec?.constraints, "spec.constraints");
}

/**
 * The desired Active and Error conditions for a lookup result. Active: the autoscaler's target
 * resolves and its spec holds; Error: it does not, with the reason.
 */
export function autoscalerConditions(lookup: TargetLookup): Condition[] {
  if (lookup.found) {
    return [
      { type: "Active", status: "True", reason: AUTOSCALER_REASONS.targetResolved, message: "target found" },
      { type: "Error", status: "False", reason: AUTOSCALER_REASONS.targetResolved, message: "" },
    ];
  }
  return [
    { type: "Active", status: "False", reason: lookup.reason, message: lookup.message },
    { type: "Error", status: "True", reason: lookup.reason, message: lookup.message },
  ];
}

/** Key-sorted JSON, so equal templates hash equally whatever the key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** First 16 hex digits of the SHA-256 of the template's canonical JSON. */
export function templateHash(template: unknown): string {
  return createHash("sha256")
    .update(stableJson(template ?? {}))
    .digest("hex")
    .slice(0, 16);
}

export interface ProfileTemplate {
  applyPolicy?: { mode?: string };
  constraints?: Constraints;
  objectives?: unknown[];
}

/** The profile's Valid condition. */
export function profileValidCondition(template: ProfileTemplate | undefined): Condition {
  const problem = !template
    ? "spec.template is missing"
    : constraintsProblem(template.constraints, "spec.template.constraints");
  return problem
    ? { type: "Valid", status: "False", reason: PROFILE_REASONS.invalidTemplate, message: problem }
    : { type: "Valid", status: "True", reason: PROFILE_REASONS.valid, message: "template is valid" };
}
