import fs from "node:fs";
import path from "node:path";
import type { Database } from "./open";

export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

export type MigrationStatus =
  { ok: true } | { ok: false; reason: "not-migrated" | "pending"; pending: string[]; message: string };

/** Migrations shipped with this build (prisma/migrations/<name>/migration.sql). */
export function shippedMigrations(dir = MIGRATIONS_DIR): string[] {
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir)) return [];
  return fs
    .readdirSync(/*turbopackIgnore: true*/ dir)
    .filter((name) => fs.existsSync(/*turbopackIgnore: true*/ path.join(dir, name, "migration.sql")))
    .sort();
}

/** Compares the shipped migrations with those recorded as finished in the database. */
export async function migrationStatus(db: Database, dir = MIGRATIONS_DIR): Promise<MigrationStatus> {
  const shipped = shippedMigrations(dir);
  let applied: string[];
  try {
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    applied = rows.map((r) => r.migration_name);
  } catch (error) {
    if (/no such table/i.test((error as Error).message)) {
      return {
        ok: false,
        reason: "not-migrated",
        pending: shipped,
        message: "the database has not been migrated: run npm run db:migrate",
      };
    }
    throw error;
  }
  const pending = shipped.filter((name) => !applied.includes(name));
  if (pending.length === 0) return { ok: true };
  return {
    ok: false,
    reason: "pending",
    pending,
    message: `the database is missing ${pending.length} migration(s) (${pending.join(", ")}): run npm run db:migrate`,
  };
}
