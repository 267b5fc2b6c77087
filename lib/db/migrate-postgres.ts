// Applies prisma/postgresql/migrations to a PostgreSQL database, recording them in Prisma's own
// `_prisma_migrations` table exactly as `prisma migrate deploy` does (same columns, sha256
// checksum, advisory lock), so the Prisma CLI and fleetdeck agree on what is applied. Why not
// the CLI: Prisma 6.19's JavaScript schema engine cannot read PostgreSQL's catalog through the
// pg adapter ("Column type 'name' could not be deserialized", prisma/orm#27403).
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { shippedMigrations } from "./migrations";

// The lock `prisma migrate` takes: a concurrent CLI run and this one never overlap.
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Applies what is missing, each migration in one transaction (PostgreSQL DDL is transactional). */
export async function migratePostgres(url: string, dir: string, log: (line: string) => void = () => {}) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ migration_name: string; finished_at: Date | null }>(
      `SELECT migration_name, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const failed = rows.filter((r) => r.finished_at === null).map((r) => r.migration_name);
    if (failed.length > 0) {
      throw new Error(
        `migration(s) ${failed.join(", ")} failed earlier and were never resolved: fix the database, then mark them rolled back`,
      );
    }
    const applied = new Set(rows.map((r) => r.migration_name));
    for (const name of shippedMigrations(dir).filter((n) => !applied.has(n))) {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), createHash("sha256").update(sql).digest("hex"), name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed (nothing of it was applied): ${(error as Error).message}`);
      }
      log(`applied migration ${name}`);
    }
  } finally {
    await client.end();
  }
}
