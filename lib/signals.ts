// The Remote Config experiment signal of datadog-operator PR #2760, accepted unchanged at
// POST /api/signals and turned into a Command:
//   { "action": "startExperiment" | "stopExperiment" | "promoteExperiment",
//     "experiment_id": "<id>", "config": { partial spec, start only } }
// A config holding a literal secret is refused here, before anything is stored, as the
// dashboard's start form refuses it (components/lib/experiment-config.ts): the Command row would
// keep it.
import { z } from "zod";
import { literalSecretPaths } from "./agents";
import { experimentId, formatIssues, partialAgentSpec, type CommandKind } from "./commands";

export const SIGNAL_ACTIONS = {
  startExperiment: "start-experiment",
  stopExperiment: "stop-experiment",
  promoteExperiment: "promote-experiment",
} as const satisfies Record<string, CommandKind>;

export type SignalAction = keyof typeof SIGNAL_ACTIONS;

const envelope = z.object({ action: z.unknown().optional() }).passthrough();

const signalSchema = z.discriminatedUnion("action", [
  z
    .object({ action: z.literal("startExperiment"), experiment_id: experimentId, config: partialAgentSpec })
    .strict(),
  z
    .object({
      action: z.literal("stopExperiment"),
      experiment_id: experimentId,
      config: z.unknown().optional(),
    })
    .strict(),
  z
    .object({
      action: z.literal("promoteExperiment"),
      experiment_id: experimentId,
      config: z.unknown().optional(),
    })
    .strict(),
]);

export type SignalError =
  | { code: "not-json"; message: string }
  | { code: "not-an-experiment-signal"; message: string }
  | { code: "unknown-action"; message: string }
  | { code: "invalid"; message: string }
  | { code: "literal-secret"; message: string };

export type ParsedSignal =
  | { ok: true; kind: CommandKind; payload: { experimentId: string; config?: unknown } }
  | { ok: false; error: SignalError };

/** Parses a signal body; never throws: every failure is a typed error with a specific message. */
export function parseSignal(body: string): ParsedSignal {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    // V8's message quotes the body around the error, which may be a secret: only its position.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    return {
      ok: false,
      error: { code: "not-json", message: `body is not JSON${at ? ` (at character ${at})` : ""}` },
    };
  }
  const outer = envelope.safeParse(json);
  if (!outer.success) return { ok: false, error: { code: "invalid", message: "body must be a JSON object" } };
  const action = outer.data.action;
  if (action === undefined || action === null || action === "") {
    return {
      ok: false,
      error: {
        code: "not-an-experiment-signal",
        message: "no action: this is a regular config, not an experiment signal",
      },
    };
  }
  if (typeof action !== "string" || !Object.hasOwn(SIGNAL_ACTIONS, action)) {
    return {
      ok: false,
      error: {
        code: "unknown-action",
        message: `unknown action ${JSON.stringify(action)}; expected one of ${Object.keys(SIGNAL_ACTIONS).join(", ")}`,
      },
    };
  }
  const parsed = signalSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: { code: "invalid", message: formatIssues(parsed.error) } };
  const signal = parsed.data;
  const kind = SIGNAL_ACTIONS[signal.action];
  const secrets = signal.action === "startExperiment" ? literalSecretPaths(signal.config) : [];
  if (secrets.length > 0) {
    return {
      ok: false,
      error: {
        code: "literal-secret",
        message: `config holds a literal secret at ${secrets.join(", ")}: reference a Secret with valueFrom.secretKeyRef instead`,
      },
    };
  }
  return signal.action === "startExperiment"
    ? { ok: true, kind, payload: { experimentId: signal.experiment_id, config: signal.config } }
    : { ok: true, kind, payload: { experimentId: signal.experiment_id } };
}
