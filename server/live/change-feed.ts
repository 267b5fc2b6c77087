import "server-only";
import type { Database } from "@/lib/db/open";
import { getDb } from "../db";

export interface ChangeRow {
  id: number;
  topic: string;
  key: string;
}

type Listener = (rows: ChangeRow[]) => void;

const POLL_MS = 200;
const BATCH = 500;

/**
 * Tails the Change table for every open stream of this server process with one query per
 * tick (not one per browser), and only while someone listens.
 */
class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private cursor: number | undefined;
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
    if (this.cursor === undefined) this.cursor = await this.latestId();
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
    if (this.polling || this.cursor === undefined) return;
    this.polling = true;
    try {
      const db: Database = await getDb();
      const rows = await db.change.findMany({
        where: { id: { gt: this.cursor } },
        orderBy: { id: "asc" },
        take: BATCH,
        select: { id: true, topic: true, key: true },
      });
      if (rows.length > 0) {
        this.cursor = rows[rows.length - 1]!.id;
        for (const listener of this.listeners) listener(rows);
      }
    } catch {
      // A busy or briefly unavailable database: the next tick tries again from the same cursor.
    } finally {
      this.polling = false;
    }
  }
}

const globalForFeed = globalThis as unknown as { fleetdeckChangeFeed?: ChangeFeed };
export const changeFeed = (globalForFeed.fleetdeckChangeFeed ??= new ChangeFeed());
