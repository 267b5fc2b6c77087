// Real databases for tests and benchmarks: SQLite files, or databases on a real PostgreSQL
// server when FLEETDECK_TEST_POSTGRES names one (the suites' PostgreSQL pass: the global setup
// starts the server, testing/postgres.ts). Either way a template is migrated once with the real
// `prisma migrate deploy`, then copied, so every test (or process) gets its own database quickly.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { STATE_DIR } from "./paths";
import { openDatabase, type Database } from "../lib/db/open";
import { migrateDatabase } from "../lib/db/migrate";
import type { Provider } from "../lib/db/url";

/** The URL of a PostgreSQL server's `postgres` database: tests create their databases there. */
export const TEST_POSTGRES_ENV = "FLEETDECK_TEST_POSTGRES";

const DB_DIR = path.join(STATE_DIR, "test-db");
const TEMPLATE = "fleetdeck_template";
let template: string | undefined;
let postgresTemplateReady = false;

/** The store the tests of this run use. */
export function testStoreProvider(): Provider {
  return process.env[TEST_POSTGRES_ENV] ? "postgresql" : "sqlite";
}

/** A new, migrated SQLite file; returns its path. */
export async function createTestDatabaseFile(prefix = "test"): Promise<string> {
  if (!template || !fs.existsSync(template)) {
    template = path.join(DB_DIR, `template-${process.pid}-${randomBytes(3).toString("hex")}.db`);
    await migrateDatabase(template);
  }
  const file = path.join(DB_DIR, `${prefix}-${randomBytes(4).toString("hex")}.db`);
  fs.copyFileSync(template, file);
  return file;
}

/** A new, migrated database of the run's store; returns its DATABASE_URL. */
export async function createTestDatabaseUrl(prefix = "test"): Promise<string> {
  const server = process.env[TEST_POSTGRES_ENV];
  if (!server) return `file:${await createTestDatabaseFile(prefix)}`;
  return createPostgresDatabase(
    server,
    `${prefix.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`,
  );
}

export async function createTestDatabase(prefix = "test"): Promise<{ url: string; db: Database }> {
  const url = await createTestDatabaseUrl(prefix);
  return { url, db: await openDatabase({ url }) };
}

/** A copy of the migrated template database on `server` (migrated once, under a lock). */
export async function createPostgresDatabase(server: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    if (!postgresTemplateReady) {
      // One process migrates the template; the others wait on the lock, then find it there.
      await client.query("SELECT pg_advisory_lock(7315)");
      try {
        const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [TEMPLATE]);
        if (exists.rowCount === 0) {
          await client.query(`CREATE DATABASE "${TEMPLATE}"`);
          await migrateDatabase({ provider: "postgresql", url: databaseUrl(server, TEMPLATE) });
        }
      } finally {
        await client.query("SELECT pg_advisory_unlock(7315)");
      }
      postgresTemplateReady = true;
    }
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE}"`);
  } finally {
    await client.end();
  }
  return databaseUrl(server, name);
}

/** The URL of another database on the server of `url`. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
