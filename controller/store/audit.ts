import type { Database } from "../../lib/db/open";
import { redactSecrets } from "../../lib/redact";
import { TOPICS } from "../../lib/topics";
import { recordChange } from "./changes";

type Tx = Pick<Database, "auditEvent" | "change">;

export interface AuditEntry {
  actor: string;
  /** dotted verb, e.g. "experiment.started" */
  action: string;
  targetKind: string;
  target: string;
  commandId?: number | null;
  /** Redacted when written (lib/redact.ts). */
  details?: Record<string, unknown>;
}

/** Writes an audit row written by the controller, and announces it on the change feed. */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      targetKind: entry.targetKind,
      target: entry.target,
      commandId: entry.commandId ?? null,
      details: JSON.stringify(redactSecrets(entry.details ?? {})),
      source: "controller",
    },
  });
  await recordChange(tx, TOPICS.audit);
}
