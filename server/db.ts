import "server-only";
import { migrationStatus } from "@/lib/db/migrations";
import { openDatabase, type Database } from "@/lib/db/open";

export class DatabaseNotReadyError extends Error {
  override name = "DatabaseNotReadyError";
}

// One client per server process (cached on globalThis so dev-mode reloads do not leak
// connections), opened lazily so `next build` never touches the database.
const globalForDb = globalThis as unknown as { fleetdeckDb?: Promise<Database>; fleetdeckDbReady?: boolean };

export function openDb(): Promise<Database> {
  globalForDb.fleetdeckDb ??= openDatabase().catch((error: unknown) => {
    globalForDb.fleetdeckDb = undefined;
    throw error;
  });
  return globalForDb.fleetdeckDb;
}

/**
 * The database for queries and actions. Until its schema is migrated, every caller gets one
 * clear error (the layout shows the user what to do) instead of a Prisma "table does not
 * exist" from wherever it first reads.
 */
export async function getDb(): Promise<Database> {
  const db = await openDb();
  if (!globalForDb.fleetdeckDbReady) {
    const status = await migrationStatus(db);
    if (!status.ok) throw new DatabaseNotReadyError(status.message);
    globalForDb.fleetdeckDbReady = true;
  }
  return db;
}
