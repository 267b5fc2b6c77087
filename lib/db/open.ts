import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../../prisma/generated/client";
import { databaseFile } from "./url";

export type Database = PrismaClient;

export interface OpenDatabaseOptions {
  /** Absolute path of the SQLite file; defaults to DATABASE_URL. */
  file?: string;
  /** How long a statement waits for another process's write lock before failing (ms). */
  busyTimeoutMs?: number;
}

/**
 * Opens the shared SQLite file through Prisma and the better-sqlite3 adapter, in WAL mode
 * (readers never block the writer) with a busy timeout, so the controller and the dashboard
 * can write at the same time. Both processes open it through this one function.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const file = options.file ?? databaseFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url: file, timeout: options.busyTimeoutMs ?? 10_000 });
  const db = new PrismaClient({ adapter });
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  // NORMAL is durable across application crashes in WAL mode and avoids an fsync per commit.
  await db.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  files.set(db, file);
  return db;
}

const files = new WeakMap<Database, string>();

/** The file a database opened by openDatabase lives in. */
export function databaseFileOf(db: Database): string | undefined {
  return files.get(db);
}

/**
 * SQLite's "database is locked / busy" errors, which are worth retrying. Through the driver
 * adapter Prisma reports them as P1008 "Operation has timed out", with SQLITE_BUSY as the
 * driver's original code.
 */
export function isBusyError(error: unknown): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } } | null)
    ?.meta?.driverAdapterError?.cause;
  if (cause?.originalCode === "SQLITE_BUSY") return true;
  const text =
    error instanceof Error
      ? `${error.message} ${String((error as { code?: unknown }).code ?? "")}`
      : String(error);
  return /SQLITE_BUSY|database is locked|database table is locked/i.test(text);
}

/** Thrown when another process kept the database locked through every retry. */
export class DatabaseBusyError extends Error {
  override name = "DatabaseBusyError";
}

/** Runs a write, retrying a few times when another process holds the lock past the busy timeout. */
export async function withBusyRetry<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      if (attempt >= attempts) {
        throw new DatabaseBusyError(
          `the database is locked by another process (SQLITE_BUSY past the busy timeout, ${attempts} attempts)`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt + Math.random() * 20));
    }
  }
}
