// The command doorbell: whoever inserts a Command rings it, and the controller's consumer
// looks for pending commands at once instead of querying the table many times a second (each
// query through Prisma costs about a millisecond of CPU). A missed ring costs at most the
// consumer's safety poll; nothing depends on the doorbell for correctness.
// - SQLite: a small file beside the database, watched with inotify (every controller of the
//   file hears every ring, and looks for its own cluster's commands).
// - PostgreSQL: NOTIFY on a channel with the command's cluster, LISTENed to on a connection of
//   the consumer's own (opened again when it drops), so a ring wakes that cluster's leader only.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { storeOf, type Database } from "./open";
import type { StoreLocation } from "./url";

const CHANNEL = "fleetdeck_commands";
const doorbellOf = (databaseFile: string) => `${databaseFile}-commands`;

/** Rings after a command of `clusterId` was committed; never throws (the safety poll covers a failure). */
export async function ringDoorbell(db: Database, clusterId: string): Promise<void> {
  const store = storeOf(db);
  if (store?.provider === "sqlite") ringFile(store.file);
  else if (store?.provider === "postgresql") {
    await db.$executeRaw`SELECT pg_notify(${CHANNEL}, ${clusterId})`.catch(() => undefined);
  }
}

/** Calls `onRing` when a command of `clusterId` is inserted in the store; returns the stop function. */
export function watchDoorbell(store: StoreLocation, clusterId: string, onRing: () => void): () => void {
  return store.provider === "sqlite" ? watchFile(store.file, onRing) : listen(store.url, clusterId, onRing);
}

/** The SQLite bell: writes the file beside the database. */
export function ringFile(databaseFile: string): void {
  try {
    fs.writeFileSync(doorbellOf(databaseFile), String(Date.now()));
  } catch {
    // a read-only or missing folder: the consumer's poll finds the command
  }
}

export function watchFile(databaseFile: string, onRing: () => void): () => void {
  const bell = path.basename(doorbellOf(databaseFile));
  const watcher = fs.watch(path.dirname(databaseFile), (_event, name) => {
    if (name?.toString() === bell) onRing();
  });
  watcher.unref();
  return () => watcher.close();
}

/** LISTEN on a connection of its own; a lost connection is opened again after a pause (and rings once). */
function listen(url: string, clusterId: string, onRing: () => void): () => void {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = (delayMs: number) => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client = c;
    const again = () => {
      if (stopped || client !== c) return;
      client = undefined;
      c.end().catch(() => undefined);
      retry = setTimeout(() => connect(Math.min(delayMs * 2, 30_000)), delayMs);
      retry.unref();
    };
    c.on("notification", (n) => {
      if (n.channel === CHANNEL && n.payload === clusterId) onRing();
    });
    c.on("error", again);
    c.on("end", again);
    c.connect()
      .then(() => c.query(`LISTEN ${CHANNEL}`))
      // Rings may have been missed while not listening.
      .then(() => onRing())
      .catch(again);
  };
  connect(500);
  return () => {
    stopped = true;
    clearTimeout(retry);
    client?.end().catch(() => undefined);
  };
}
