// The audit trail's writer and its retention: rows written by the controller, and the leader's
// hourly deletion of rows older than FLEETDECK_AUDIT_RETENTION_DAYS (each prune leaves a row).
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import { redactSecrets } from "../../lib/redact";
import type { Logger } from "../log";
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

/** Writes an audit row of `clusterId` written by the controller, and announces it on the change feed. */
export async function recordAudit(tx: Tx, clusterId: string, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      clusterId,
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

/**
 * Deletes audit rows older than `before`, oldest first, `batch` rows per transaction (a short
 * write lock each, so the dashboard and other writers are not held up); returns how many.
 */
export async function pruneAudit(
  db: Database,
  clusterId: string,
  before: Date,
  batch = 5000,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const count = await withRetry(() =>
      db.$transaction(async (tx) => {
        const rows = await tx.auditEvent.findMany({
          where: { clusterId, at: { lt: before } },
          orderBy: { id: "asc" },
          take: batch,
          select: { id: true },
        });
        if (rows.length === 0) return 0;
        const { count } = await tx.auditEvent.deleteMany({
          where: { clusterId, id: { in: rows.map((r) => r.id) } },
        });
        await recordChange(tx, TOPICS.audit);
        return count;
      }),
    );
    deleted += count;
    if (count < batch) return deleted;
  }
}

/** The leader's audit retention of its cluster's rows (run at start, then hourly: ./setup.ts). */
export class AuditRetention {
  constructor(
    private readonly db: Database,
    private readonly options: { clusterId: string; retentionDays: number; actor: string },
    private readonly log: Logger,
  ) {}

  /** Deletes what is past retention and records how much; returns how many rows went. */
  async prune(now = Date.now()): Promise<number> {
    const { clusterId, retentionDays, actor } = this.options;
    const before = new Date(now - retentionDays * 86_400_000);
    const deleted = await pruneAudit(this.db, clusterId, before);
    if (deleted > 0) {
      await withRetry(() =>
        this.db.$transaction((tx) =>
          recordAudit(tx, clusterId, {
            actor,
            action: "audit.pruned",
            targetKind: "AuditTrail",
            target: "",
            details: { deleted, before: before.toISOString(), retentionDays },
          }),
        ),
      );
      this.log.info({ deleted }, "audit rows past retention deleted");
    }
    return deleted;
  }
}
