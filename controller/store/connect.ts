// Connecting to the store at start-up: a database that cannot be reached yet (PostgreSQL still
// starting, a network blip, a failover) is waited for, with backoff and without end, while
// /readyz says why the controller is not ready; a database that answers but is not migrated,
// or whose cluster names clash, stops the process with the reason (exit code 2).
import { isUnreachableError, openDatabase, type Database, type OpenDatabaseOptions } from "../../lib/db/open";
import type { Logger } from "../log";
import { assertMigrated } from "./migrations";

export interface ConnectOptions extends OpenDatabaseOptions {
  /** Where the store is, for messages (never a password). */
  describe: string;
  /** Called with why the store is not usable yet, and with undefined once it is. */
  onWaiting: (reason: string | undefined) => void;
  log: Logger;
  maxDelayMs?: number;
}

export async function connectStore(options: ConnectOptions): Promise<Database> {
  const { log, describe, onWaiting } = options;
  const db = await openDatabase(options);
  for (let delay = 500, attempt = 1; ; delay = Math.min(delay * 2, options.maxDelayMs ?? 30_000), attempt++) {
    try {
      await assertMigrated(db);
      onWaiting(undefined);
      return db;
    } catch (error) {
      if (!isUnreachableError(error)) throw error;
      const reason = `database unreachable (${describe}): ${firstLine(error)}`;
      onWaiting(reason);
      log.warn(
        { component: "store", attempt, retryInMs: delay, err: firstLine(error) },
        "database unreachable; retrying",
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export function firstLine(error: unknown): string {
  return String((error as Error).message ?? error)
    .split("\n")[0]!
    .slice(0, 300);
}
