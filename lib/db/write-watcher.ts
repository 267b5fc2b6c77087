// Tells when another process may have written to a SQLite file: inotify on its directory,
// filtered to the database and its WAL. A consumer can then look for new rows when something
// happened instead of querying many times a second to find nothing (each query through
// Prisma costs about a millisecond of CPU).
import fs from "node:fs";
import path from "node:path";

/** Calls `onWrite` (at most every `minGapMs`) when the file or its WAL changes; returns the stop function. */
export function watchWrites(file: string, onWrite: () => void, minGapMs = 50): () => void {
  const names = new Set([path.basename(file), `${path.basename(file)}-wal`]);
  let last = 0;
  let pending: NodeJS.Timeout | undefined;
  const fire = () => {
    pending = undefined;
    last = Date.now();
    onWrite();
  };
  const watcher = fs.watch(path.dirname(file), (_event, name) => {
    if (!name || !names.has(name.toString()) || pending) return;
    const wait = last + minGapMs - Date.now();
    if (wait <= 0) fire();
    else pending = setTimeout(fire, wait);
  });
  watcher.unref();
  return () => {
    clearTimeout(pending);
    watcher.close();
  };
}
