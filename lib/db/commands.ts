import { encodeSubject, type AuthMethod, type Subject } from "../access";
import { literalSecretPaths } from "../agents";
import { parseCommand } from "../commands";
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
  /** "dashboard" or "signal". */
  source: string;
}

export type InsertResult = { ok: true; commandId: number } | { ok: false; error: string };

/**
 * Validates a command and writes it with its "command.requested" audit row and change-feed
 * rows in one transaction: either all of it is stored, or none. The cluster must be one of the
 * fleet's (registered by its controllers). A payload holding a literal secret is refused (its
 * callers refuse it first, with their own words); a reason is stored with any secret in it
 * redacted.
 */
export async function insertCommand(db: Database, input: NewCommand): Promise<InsertResult> {
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
  const cluster = await db.cluster.findUnique({ where: { id: input.clusterId }, select: { id: true } });
  if (!cluster) {
    return {
      ok: false,
      error: `cluster "${input.clusterId}" is not in the fleet (no controller has registered it)`,
    };
  }
  const id = await withRetry(() =>
    db.$transaction(async (tx) => {
      const command = await tx.command.create({
        data: {
          clusterId: input.clusterId,
          kind: parsed.kind,
          target: parsed.target,
          payload: JSON.stringify(parsed.payload),
          actor: input.actor,
          actorAuth: input.actorAuth ?? "local",
          identity: input.identity ? encodeSubject(input.identity) : null,
          reason,
          source: input.source,
        },
      });
      await tx.auditEvent.create({
        data: {
          clusterId: input.clusterId,
          actor: input.actor,
          action: "command.requested",
          targetKind: parsed.kind,
          target: parsed.target,
          commandId: command.id,
          details: JSON.stringify({ source: input.source, reason, auth: input.actorAuth ?? "local" }),
          source: "web",
        },
      });
      await tx.change.createMany({
        data: [
          { topic: TOPICS.commands, key: String(command.id) },
          { topic: TOPICS.audit, key: "" },
        ],
      });
      return command.id;
    }),
  );
  await ringDoorbell(db, input.clusterId);
  return { ok: true, commandId: id };
}
