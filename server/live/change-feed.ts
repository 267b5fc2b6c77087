import "server-only";
import { getDb } from "../db";
import { ChangeCursor } from "./change-cursor";

export interface ChangeRow {
  id: number;
  topic: string;
  key: string;
}

/** Rows to deliver, and the id a stream may resume from (every change up to it was delivered). */
type Listener = (rows: ChangeRow[], resumeId: number) => void;

const POLL_MS = 200;
const BATCH = 500;

/**
 * Tails the Change table for every open stream of this server process with one query per
 * tick (not one per browser), and only while someone listens. Each dashboard replica tails it
 * on its own: the store is the only thing they share. Ids may commit out of order on
 * PostgreSQL; ChangeCursor delivers each row once all the same.
 */
class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private cursor: ChangeCursor | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  async latestId(): Promise<number> {
    const db = await getDb();
    const row = await db.change.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
    return row?.id ?? 0;
  }

  /** Rows after `id`, oldest first; `truncated` when more than `limit` exist. */
  async since(id: number, limit = 1000): Promise<{ rows: ChangeRow[]; truncated: boolean }> {
    const db = await getDb();
    const rows = await db.change.findMany({
      where: { id: { gt: id } },
      orderBy: { id: "asc" },
      take: limit + 1,
      select: { id: true, topic: true, key: true },
    });
    return { rows: rows.slice(0, limit), truncated: rows.length > limit };
  }

  async subscribe(listener: Listener): Promise<() => void> {
    if (this.cursor === undefined) this.cursor = new ChangeCursor(await this.latestId());
    this.listeners.add(listener);
    this.timer ??= setInterval(() => void this.poll(), POLL_MS);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.cursor = undefined;
      }
    };
  }

  private async poll(): Promise<void> {
    const cursor = this.cursor;
    if (this.polling || cursor === undefined) return;
    this.polling = true;
    try {
      const db = await getDb();
      const rows = await db.change.findMany({
        where: { id: { gt: cursor.watermark } },
        orderBy: { id: "asc" },
        take: cursor.limit(BATCH),
        select: { id: true, topic: true, key: true },
      });
      const fresh = cursor.take(rows);
      if (fresh.length > 0) for (const listener of this.listeners) listener(fresh, cursor.watermark);
    } catch {
      // A busy or briefly unavailable database: the next tick tries again from the same watermark.
    } finally {
      this.polling = false;
    }
  }
}

const globalForFeed = globalThis as unknown as { fleetdeckChangeFeed?: ChangeFeed };
export const changeFeed = (globalForFeed.fleetdeckChangeFeed ??= new ChangeFeed());
