// The dashboard → controller contract: every Command kind and its payload, validated with the
// same schemas on both sides (docs/architecture.md). The controller re-validates what it reads,
// since any process with the SQLite file could have written it.
import { z } from "zod";
import { SPOT_WORKLOAD_KINDS } from "./spot";

/** "namespace/name" of a namespaced object, as Kubernetes names them (DNS-1123). */
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
export const namespacedName = z
  .string()
  .trim()
  .refine((v) => {
    const [ns, name, extra] = v.split("/");
    return (
      extra === undefined && !!ns && !!name && DNS1123.test(ns) && SUBDOMAIN.test(name) && v.length <= 317
    );
  }, "expected namespace/name");

export function splitTarget(target: string): { namespace: string; name: string } {
  const [namespace = "", name = ""] = target.split("/");
  return { namespace, name };
}

/** Experiment ids come from users and Fleet Automation: printable, no slashes, bounded. */
export const experimentId = z
  .string()
  .trim()
  .min(1, "experiment id must not be empty")
  .max(128, "experiment id is longer than 128 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "experiment id may contain letters, digits, '.', '_', ':' and '-'");

/** A partial DatadogAgent spec: only the sections an experiment may change. */
export const partialAgentSpec = z
  .object({
    global: z.record(z.string(), z.unknown()).optional(),
    features: z.record(z.string(), z.unknown()).optional(),
    override: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine(
    (v) => Object.keys(v).length > 0,
    "the experiment config must change at least one of global, features, override",
  );

/** Bounds of an experiment's health gate settings (docs/health.md). */
export const THRESHOLD_PERCENT = { min: 0, max: 99 } as const;
export const GRACE_SECONDS = { min: 5, max: 24 * 3600 } as const;

/** An experiment's health gate; a field left out takes the controller's default. */
export const healthGateSettings = z
  .object({
    enabled: z.boolean().optional(),
    thresholdPercent: z
      .number()
      .int()
      .min(THRESHOLD_PERCENT.min)
      .max(THRESHOLD_PERCENT.max, "at most 99 % (to turn the gate off, set enabled: false)")
      .optional(),
    graceSeconds: z.number().int().min(GRACE_SECONDS.min).max(GRACE_SECONDS.max).optional(),
  })
  .strict();

export const commandPayloads = {
  ping: z.object({ note: z.string().max(200).optional() }).strict(),
  "start-experiment": z
    .object({
      experimentId,
      /** Merged into the spec as an RFC 7386 JSON merge patch: `null` removes a field. */
      config: partialAgentSpec,
      /** Rolled back automatically after this long; 30 minutes when absent (upstream default). */
      timeoutSeconds: z
        .number()
        .int()
        .min(10)
        .max(7 * 24 * 3600)
        .optional(),
      /** Rolled back automatically when its candidate's pods fail (docs/health.md); on by default. */
      healthGate: healthGateSettings.optional(),
    })
    .strict(),
  "stop-experiment": z.object({ experimentId }).strict(),
  "promote-experiment": z.object({ experimentId }).strict(),
  "restore-revision": z
    .object({
      /** The ControllerRevision name (`<agent>-<hash>`) from the revision history. */
      revision: z.string().trim().min(1).max(253),
    })
    .strict(),
  "enable-spot": z.object({ kind: z.enum(SPOT_WORKLOAD_KINDS) }).strict(),
  "disable-spot": z
    .object({
      kind: z.enum(SPOT_WORKLOAD_KINDS),
      minutes: z
        .number()
        .int()
        .min(1, "at least 1 minute")
        .max(7 * 24 * 60, "at most 7 days"),
    })
    .strict(),
} as const;

export type CommandKind = keyof typeof commandPayloads;
export type CommandPayload<K extends CommandKind> = z.infer<(typeof commandPayloads)[K]>;
export const COMMAND_KINDS = Object.keys(commandPayloads) as CommandKind[];

/** Kinds that act on an object, and what `target` names. */
export const COMMAND_TARGETS: Record<CommandKind, "none" | "DatadogAgent" | "Workload"> = {
  ping: "none",
  "start-experiment": "DatadogAgent",
  "stop-experiment": "DatadogAgent",
  "promote-experiment": "DatadogAgent",
  "restore-revision": "DatadogAgent",
  "enable-spot": "Workload",
  "disable-spot": "Workload",
};

export const COMMAND_STATUSES = ["pending", "applying", "applied", "rejected", "ignored"] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];
/** The outcomes the controller records; a command in one of them never changes again. */
export type FinalStatus = Extract<CommandStatus, "applied" | "rejected" | "ignored">;
export const FINAL_STATUSES: ReadonlySet<CommandStatus> = new Set<FinalStatus>([
  "applied",
  "rejected",
  "ignored",
]);

export function isFinalStatus(status: string | undefined): status is FinalStatus {
  return FINAL_STATUSES.has(status as CommandStatus);
}

export function isCommandKind(kind: string): kind is CommandKind {
  return Object.hasOwn(commandPayloads, kind);
}

export type ParsedCommand =
  { ok: true; kind: CommandKind; payload: unknown; target: string } | { ok: false; error: string };

/** Validates a stored or submitted command; the error says exactly what is wrong. */
export function parseCommand(kind: string, target: string, payload: unknown): ParsedCommand {
  if (!isCommandKind(kind)) return { ok: false, error: `unknown command kind "${kind}"` };
  if (COMMAND_TARGETS[kind] === "none") {
    if (target !== "") return { ok: false, error: `${kind} takes no target` };
  } else {
    const t = namespacedName.safeParse(target);
    if (!t.success) return { ok: false, error: `target "${target}": ${t.error.issues[0]?.message}` };
  }
  const result = commandPayloads[kind].safeParse(payload);
  if (!result.success) return { ok: false, error: `invalid ${kind} payload: ${formatIssues(result.error)}` };
  return { ok: true, kind, payload: result.data, target };
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}
