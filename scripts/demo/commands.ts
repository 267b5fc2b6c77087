// What the demo's scenarios share: waiting for the cluster or the store to get somewhere, and
// sending a command the way the dashboard does.
import { FINAL_STATUSES, type CommandStatus } from "../../lib/commands";
import { insertCommand } from "../../lib/db/commands";
import type { Database } from "../../lib/db/open";
import { until as pollUntil } from "../../testing/until";

/** `until`, polled every 200 ms, its error saying it is the demo's. */
export function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return pollUntil(`demo: ${what}`, check, { timeoutMs, intervalMs: 200 });
}

/** Inserts a command as the dashboard does (actor "demo") and waits for its outcome; a rejection throws. */
export async function demoCommand(
  db: Database,
  clusterId: string,
  kind: string,
  target: string,
  payload: unknown,
): Promise<CommandStatus> {
  const inserted = await insertCommand(db, {
    clusterId,
    kind,
    target,
    payload,
    actor: "demo",
    source: "dashboard",
  });
  if (!inserted.ok) throw new Error(`demo: ${kind} refused: ${inserted.error}`);
  const row = await until(`${kind} to be applied`, async () => {
    const c = await db.command.findUnique({ where: { id: inserted.commandId } });
    return c && FINAL_STATUSES.has(c.status as CommandStatus) ? c : undefined;
  });
  if (row.status === "rejected") throw new Error(`demo: ${kind} rejected: ${row.message}`);
  return row.status as CommandStatus;
}
