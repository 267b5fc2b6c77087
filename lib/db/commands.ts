import { encodeSubject, type AuthMethod, type Subject } from "../access";
import { literalSecretPaths } from "../agents";
import { parseCommand, type CommandKind } from "../commands";
import { redactText } from "../redact";
import { TOPICS } from "../topics";
import { ringDoorbell } from "./doorbell";
import { withRetry, type Database } from "./open";

export interface NewCommand {
  /** The cluster whose leader applies it (Cluster.id). */
  clusterId: string;
  kind: string;
  target: string;
  payload: unknown;
  actor: string;
  /** How the actor was authenticated; "local" (full power) when not said: scripts, tests. */
  actorAuth?: AuthMethod;
  /** The actor's Kubernetes identity, which the controller's authorization asks about. */
  identity?: Subject;
  reason?: string | null;
  /** "dashboard", "signal" or "fleet" (a fleet experiment's driver). */
  source: string;
}

export type InsertResult = { ok: true; commandId: number } | { ok: false; error: string };

/** A client or an interactive transaction: what writing a command needs. */
export type CommandTx = Pick<Database, "command" | "auditEvent" | "change">;

export type CheckedCommand = { ok: true; command: Checked } | { ok: false; error: string };

interface Checked extends NewCommand {
  kind: CommandKind;
  reason: string | null;
}

/**
 * Validates a command as every writer must: its kind, target and payload by the kind's schema,
 * no literal secret in the payload, and the reason trimmed with any secret in it redacted.
 */
export function checkCommand(input: NewCommand): CheckedCommand {
  const parsed = parseCommand(input.kind, input.target, input.payload);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const secrets = literalSecretPaths(parsed.payload);
  if (secrets.length > 0) {
    return {
      ok: false,
      error: `the ${parsed.kind} payload holds a literal secret at ${secrets.join(", ")}: reference a Secret instead`,
    };
  }
  const reason = input.reason?.trim() ? redactText(input.reason.trim().slice(0, 500)) : null;
  return {
    ok: true,
    command: { ...input, kind: parsed.kind, target: parsed.target, payload: parsed.payload, reason },
  };
}

/**
 * Writes a checked command with its "command.requested" audit row and change-feed rows, with
 * `tx`: inside the caller's transaction, so the command is stored together with whatever the
 * caller writes (the fleet driver's idempotency key and decisions). The caller rings the
 * doorbell once it committed.
 */
export async function writeCommand(tx: CommandTx, command: Checked): Promise<number> {
  const created = await tx.command.create({
    data: {
      clusterId: command.clusterId,
      kind: command.kind,
      target: command.target,
      payload: JSON.stringify(command.payload),
      actor: command.actor,
      actorAuth: command.actorAuth ?? "local",
      identity: command.identity ? encodeSubject(command.identity) : null,
      reason: command.reason,
      source: command.source,
    },
  });
  await tx.auditEvent.create({
    data: {
      clusterId: command.clusterId,
      actor: command.actor,
      action: "command.requested",
      targetKind: command.kind,
      target: command.target,
      commandId: created.id,
      details: JSON.stringify({
        source: command.source,
        reason: command.reason,
        auth: command.actorAuth ?? "local",
      }),
      source: "web",
    },
  });
  await tx.change.createMany({
    data: [
      { topic: TOPICS.commands, key: String(created.id) },
      { topic: TOPICS.audit, key: "" },
    ],
  });
  return created.id;
}

/**
 * Validates a command and writes it with its "command.requested" audit row and change-feed
 * rows in one transaction: either all of it is stored, or none. The cluster must be one of the
 * fleet's (registered by its controllers). A payload holding a literal secret is refused (its
 * callers refuse it first, with their own words); a reason is stored with any secret in it
 * redacted.
 */
export async function insertCommand(db: Database, input: NewCommand): Promise<InsertResult> {
  const checked = checkCommand(input);
  if (!checked.ok) return checked;
  const cluster = await db.cluster.findUnique({ where: { id: input.clusterId }, select: { id: true } });
  if (!cluster) {
    return {
      ok: false,
      error: `cluster "${input.clusterId}" is not in the fleet (no controller has registered it)`,
    };
  }
  const id = await withRetry(() => db.$transaction((tx) => writeCommand(tx, checked.command)));
  await ringDoorbell(db, input.clusterId);
  return { ok: true, commandId: id };
}
