// The send log: one row per attempt to send metadata (and per release skipped as
// undecodable), of this controller's cluster. Rows are buffered and written in small batches,
// each batch in one transaction with its change-feed row (../store/rows.ts: prepared statements
// on SQLite, one multi-row INSERT on PostgreSQL, not Prisma's per-row path), so a burst of sends
// costs a few writes, not one per send. The cluster's old rows are pruned by age and by count. Stored
// payloads have a budget: a payload above the per-row budget is not kept (the row stays, with
// its size), and once the cluster's kept payloads add up to more than the total budget the
// oldest lose theirs. ../metadata/setup.ts runs sync() every second (a write that failed is
// retried there, and the last one made when the leader stops) and prune() every minute.
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import type { ForwarderName, SendReason, SendStatus } from "../../lib/metadata";
import { redactText } from "../../lib/redact";
import { TOPICS } from "../../lib/topics";
import type { Logger } from "../log";
import { recordChange } from "../store/changes";
import { appendRows, changeRow } from "../store/rows";

export interface SendRecord {
  at: Date;
  forwarder: ForwarderName;
  kind: string;
  object: string;
  revision?: number | null;
  reason: SendReason;
  status: SendStatus;
  attempt: number;
  /** The body as sent (already without secrets); "" when skipped or not kept (over a budget). */
  payload: string;
  sizeBytes: number;
  httpStatus?: number | null;
  latencyMs?: number | null;
  error?: string | null;
}

export interface SendLogOptions {
  maxAgeMs: number;
  maxRows: number;
  /** A larger payload is not kept in its row. */
  maxPayloadBytes: number;
  /** Kept payloads add up to at most this after a prune; the oldest go first. */
  maxTotalBytes: number;
  /** A recorded row is written this long after it (with whatever came meanwhile). */
  flushMs?: number;
}

/** The MetadataSend columns a flush writes, in the order of its rows' values. */
const SEND_COLUMNS = [
  "clusterId",
  "at",
  "forwarder",
  "kind",
  "object",
  "revision",
  "reason",
  "status",
  "attempt",
  "payload",
  "sizeBytes",
  "httpStatus",
  "latencyMs",
  "error",
] as const;

/** Rows kept in memory while the database refuses writes; beyond this the oldest are dropped (and counted). */
const MAX_BUFFERED = 20_000;

export class SendLog {
  private buffer: SendRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private dropped = 0;
  /** Payload bytes recorded since the last prune: past a quarter of the budget, prune early. */
  private bytesSincePrune = 0;
  private pruneSoon = false;

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly log: Logger,
    private readonly options: SendLogOptions,
  ) {}

  record(entry: SendRecord): void {
    const keep = Buffer.byteLength(entry.payload) <= this.options.maxPayloadBytes;
    this.buffer.push({
      ...entry,
      payload: keep ? entry.payload : "",
      // Errors may quote what the intake or a decoder saw.
      error: entry.error ? redactText(entry.error) : entry.error,
    });
    if (keep) this.bytesSincePrune += entry.sizeBytes;
    if (this.bytesSincePrune > this.options.maxTotalBytes / 4) {
      this.bytesSincePrune = 0;
      this.pruneSoon = true;
    }
    if (this.buffer.length > MAX_BUFFERED) {
      this.dropped += this.buffer.length - MAX_BUFFERED;
      this.buffer.splice(0, this.buffer.length - MAX_BUFFERED);
    }
    // One write per burst, soon after its first row; a failed one is retried by sync().
    this.flushTimer ??= setTimeout(
      () => void this.flush().catch(() => undefined),
      this.options.flushMs ?? 100,
    );
  }

  /**
   * Writes what is buffered (one transaction); a failed batch stays buffered for the next
   * flush, and the error is thrown.
   */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flushing.catch(() => undefined).then(() => this.writeBuffered());
    return this.flushing;
  }

  /** The periodic write: what is buffered, then a prune when many payload bytes came since the last. */
  async sync(): Promise<void> {
    await this.flush();
    if (!this.pruneSoon) return;
    this.pruneSoon = false;
    await this.prune();
  }

  /**
   * Deletes the cluster's rows older than the maximum age and all but its newest `maxRows`,
   * and empties the payloads of its oldest rows beyond the total budget; returns how many rows
   * it changed.
   */
  async prune(now = Date.now()): Promise<number> {
    const { maxAgeMs, maxRows, maxTotalBytes } = this.options;
    const clusterId = this.clusterId;
    this.bytesSincePrune = 0;
    return withRetry(() =>
      this.db.$transaction(async (tx) => {
        const old = await tx.metadataSend.deleteMany({
          where: { clusterId, at: { lt: new Date(now - maxAgeMs) } },
        });
        const boundary = await tx.metadataSend.findFirst({
          where: { clusterId },
          orderBy: { id: "desc" },
          skip: maxRows,
          select: { id: true },
        });
        const excess = boundary
          ? await tx.metadataSend.deleteMany({ where: { clusterId, id: { lte: boundary.id } } })
          : { count: 0 };
        // The newest payload past the budget, counting kept payloads from the newest down.
        const [over] = await tx.$queryRaw<{ id: number | bigint }[]>`
          SELECT "id" FROM (
            SELECT "id", SUM("sizeBytes") OVER (ORDER BY "id" DESC) AS "kept"
            FROM "MetadataSend" WHERE "clusterId" = ${clusterId} AND "payload" <> ''
          ) AS "byAge" WHERE "kept" > ${maxTotalBytes} ORDER BY "id" DESC LIMIT 1`;
        const emptied = over
          ? await tx.metadataSend.updateMany({
              where: { clusterId, id: { lte: Number(over.id) }, payload: { not: "" } },
              data: { payload: "" },
            })
          : { count: 0 };
        const count = old.count + excess.count + emptied.count;
        if (count > 0) await recordChange(tx, TOPICS.metadata, "sends");
        return count;
      }),
    ).then((count) => {
      if (count > 0) this.log.debug({ pruned: count }, "send log pruned");
      return count;
    });
  }

  private async writeBuffered(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      await withRetry(() =>
        appendRows(this.db, [
          {
            table: "MetadataSend",
            columns: SEND_COLUMNS,
            rows: batch.map((row) => [
              this.clusterId,
              row.at,
              row.forwarder,
              row.kind,
              row.object,
              row.revision ?? null,
              row.reason,
              row.status,
              row.attempt,
              row.payload,
              row.sizeBytes,
              row.httpStatus ?? null,
              row.latencyMs ?? null,
              row.error ?? null,
            ]),
          },
          changeRow(TOPICS.metadata, "sends"),
        ]),
      );
      if (this.dropped > 0) {
        this.log.error({ dropped: this.dropped }, "send log rows dropped while the database refused writes");
        this.dropped = 0;
      }
    } catch (error) {
      // Nothing half-written (one transaction); keep the rows for the next flush.
      this.buffer = batch.concat(this.buffer);
      throw error;
    }
  }
}
