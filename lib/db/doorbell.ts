// The command doorbell of a SQLite store: whoever inserts a Command rings it (writes a small
// file beside the database), and the controller's consumer, watching that file with inotify,
// looks for pending commands at once instead of querying the table many times a second (each
// query through Prisma costs about a millisecond of CPU). Missing a ring costs at most the
// consumer's safety poll; nothing depends on the doorbell for correctness.
import fs from "node:fs";
import path from "node:path";

const doorbellOf = (databaseFile: string) => `${databaseFile}-commands`;

/** Rings after a command was committed; never throws (the safety poll covers a failure). */
export function ringDoorbell(databaseFile: string): void {
  try {
    fs.writeFileSync(doorbellOf(databaseFile), String(Date.now()));
  } catch {
    // a read-only or missing folder: the consumer's poll finds the command
  }
}

/** Calls `onRing` when the doorbell rings; returns the stop function. */
export function watchDoorbell(databaseFile: string, onRing: () => void): () => void {
  const bell = path.basename(doorbellOf(databaseFile));
  const watcher = fs.watch(path.dirname(databaseFile), (_event, name) => {
    if (name?.toString() === bell) onRing();
  });
  watcher.unref();
  return () => watcher.close();
}
