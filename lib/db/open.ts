import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "../../prisma/generated/postgresql/client";
import { PrismaClient } from "../../prisma/generated/sqlite/client";
import { storeLocation, type Provider, type StoreLocation } from "./url";

/**
 * The store's client. Both providers' clients are generated from the same models
 * (prisma/models.prisma), so their model APIs are the same; the SQLite client's type stands for
 * both. Code that needs what differs (raw SQL) asks providerOf(db).
 */
export type Database = PrismaClient;

export interface OpenDatabaseOptions {
  /** A DATABASE_URL (`file:…`, a path, or `postgresql://…`); defaults to the environment's. */
  url?: string;
  /** Absolute path of a SQLite file (instead of `url`). */
  file?: string;
  /** SQLite: how long a statement waits for another process's write lock before failing (ms). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in this process's pool. */
  poolSize?: number;
}

// Kept on the client itself under a registered symbol: a bundler may load this module twice
// (Next.js chunks), and a module-local table would not see the other copy's clients.
const STORE = Symbol.for("fleetdeck.store.location");

function markStore(db: Database, location: StoreLocation): Database {
  Object.defineProperty(db, STORE, { value: location, enumerable: false });
  return db;
}

/** Where a client opened by openDatabase connects (its SQLite file, or its PostgreSQL URL). */
export function storeOf(db: object): StoreLocation | undefined {
  return (db as { [STORE]?: StoreLocation })[STORE];
}

/** Which store a client talks to. */
export function providerOf(db: object): Provider {
  return storeOf(db)?.provider ?? "sqlite";
}

/** A client built on `base` (a Prisma extension) talks to the same store. */
export function deriveClient(base: Database, derived: Database): Database {
  const location = storeOf(base);
  const marked = location ? markStore(derived, location) : derived;
  // Same engine, same connection.
  Object.defineProperty(marked, SQLITE_DRIVER, { get: () => sqliteDriverOf(base), enumerable: false });
  return marked;
}

/** The part of better-sqlite3's connection the store's bulk writes use (lib/db is its only opener). */
export interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
}

/**
 * The SQLite connection under a client's adapter, and the adapter's own transaction gate: a
 * write that must not interleave with Prisma's interactive transactions takes the gate
 * (startTransaction runs BEGIN and holds the adapter's mutex until commit or rollback).
 */
export interface SqliteDriver {
  connection: SqliteConnection;
  startTransaction(): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }>;
}

const SQLITE_DRIVER = Symbol.for("fleetdeck.store.sqlite-driver");

/** The SQLite driver of a client opened by openDatabase (undefined on PostgreSQL, or before connect). */
export function sqliteDriverOf(db: object): SqliteDriver | undefined {
  return (db as { [SQLITE_DRIVER]?: SqliteDriver })[SQLITE_DRIVER];
}

/**
 * An interactive transaction may wait this long for a connection and run this long: a shared
 * database under load (many clusters, a restart just over) is slower than a local file, and
 * Prisma's defaults (2 s, 5 s) would fail writes that only had to wait.
 */
const transactionOptions = { maxWait: 10_000, timeout: 20_000 };

/** Where a client of openDatabase's options connects. */
export function locationOf(options: OpenDatabaseOptions = {}): StoreLocation {
  if (options.file) return { provider: "sqlite", file: options.file };
  return storeLocation(options.url === undefined ? process.env : { DATABASE_URL: options.url });
}

/**
 * Opens the store; both processes open it through this one function.
 * - SQLite (the default): the shared file through the better-sqlite3 adapter, in WAL mode
 *   (readers never block the writer) with a busy timeout, so the controller and the dashboard
 *   can write at the same time.
 * - PostgreSQL (DATABASE_URL=postgresql://…): a connection pool through the pg adapter. The
 *   pool connects on first use and replaces connections the server dropped (a restart), so
 *   opening never fails for an unreachable server: the first query does.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const location = locationOf(options);
  if (location.provider === "postgresql") {
    const adapter = new PrismaPg({
      connectionString: location.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    return markStore(new PostgresClient({ adapter, transactionOptions }) as unknown as Database, location);
  }
  fs.mkdirSync(path.dirname(location.file), { recursive: true });
  const factory = new PrismaBetterSQLite3({ url: location.file, timeout: options.busyTimeoutMs ?? 10_000 });
  // The connection the factory opens is kept, so hot-path writes can run prepared statements on
  // it (controller/store/rows.ts) instead of going through Prisma's query engine row by row.
  let driver: SqliteDriver | undefined;
  const adapter: typeof factory = Object.assign(Object.create(factory) as typeof factory, {
    connect: async () => {
      const connected = await factory.connect();
      driver = {
        connection: (connected as unknown as { client: SqliteConnection }).client,
        startTransaction: () => connected.startTransaction(),
      };
      return connected;
    },
  });
  const db = markStore(new PrismaClient({ adapter, transactionOptions }), location);
  Object.defineProperty(db, SQLITE_DRIVER, { get: () => driver, enumerable: false });
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  // NORMAL is durable across application crashes in WAL mode and avoids an fsync per commit.
  await db.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  return db;
}

/** An error of either driver's own, with the codes and messages of what it wraps. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (e instanceof Error) {
      const { code, meta } = e as { code?: unknown; meta?: Record<string, unknown> };
      parts.push(e.message, String(code ?? ""), meta ? JSON.stringify(meta) : "");
      // Through the driver adapter Prisma reports SQLite busy as P1008 "Operation has timed
      // out"; the driver's own code is on the adapter error's (non-enumerable) cause.
      const driver = (meta?.driverAdapterError as { cause?: Record<string, unknown> } | undefined)?.cause;
      if (driver) parts.push(String(driver.originalCode ?? ""), String(driver.originalMessage ?? ""));
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(" ");
}

const SQLITE_BUSY = /SQLITE_BUSY|database is locked|database table is locked/i;
// PostgreSQL going away or refusing for a moment (a restart, a failover, a full pool), and the
// conflicts a retry resolves (serialization failure, deadlock).
const POSTGRES_TRANSIENT =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|Connection terminated|terminating connection|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect|Can't reach database server|connection (refused|reset)|\b(40001|40P01|57P01|57P02|57P03|53300|08000|08001|08003|08004|08006|P1001|P1017)\b/i;

/** A failure worth retrying: SQLite busy, or PostgreSQL briefly unreachable or in conflict. */
export function isTransientError(error: unknown): boolean {
  const text = errorText(error);
  return SQLITE_BUSY.test(text) || POSTGRES_TRANSIENT.test(text);
}

/** Whether the store cannot be reached at all (as opposed to refusing a statement). */
export function isUnreachableError(error: unknown): boolean {
  return POSTGRES_TRANSIENT.test(errorText(error)) && !/\b(40001|40P01)\b/.test(errorText(error));
}

/** Thrown when another process kept the SQLite file locked through every retry. */
export class DatabaseBusyError extends Error {
  override name = "DatabaseBusyError";
}

/** Runs a write, retrying a few times while the store is busy or briefly unreachable. */
export async function withRetry<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isTransientError(error)) throw error;
      if (attempt >= attempts) {
        if (!SQLITE_BUSY.test(errorText(error))) throw error;
        throw new DatabaseBusyError(
          `the database is locked by another process (SQLITE_BUSY past the busy timeout, ${attempts} attempts)`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt + Math.random() * 20));
    }
  }
}
