import type { Database } from "../../lib/db/open";
import type { Topic } from "../../lib/topics";

// A client or an interactive transaction: both have the change delegate.
type Tx = Pick<Database, "change">;

/**
 * Appends to the change feed; call it inside the transaction of the write it announces.
 * createMany, not create: create reads the row back (RETURNING), and a cluster's database
 * login may append to the feed but not read it (docs/security.md).
 */
export function recordChange(tx: Tx, topic: Topic, key = "") {
  return tx.change.createMany({ data: [{ topic, key }] });
}

/** The feed only needs to outlive a browser's reconnect; older rows are dropped. */
export async function pruneChanges(db: Database, olderThanMs = 60 * 60 * 1000): Promise<number> {
  const { count } = await db.change.deleteMany({ where: { at: { lt: new Date(Date.now() - olderThanMs) } } });
  return count;
}
