import fs from "node:fs";
import path from "node:path";
import { providerOf, type Database } from "./open";
import type { Provider } from "./url";

/** The migrations shipped for a provider (generated from prisma/models.prisma). */
export const migrationsDir = (provider: Provider) =>
  path.join(process.cwd(), "prisma", provider, "migrations");

export type MigrationStatus =
  { ok: true } | { ok: false; reason: "not-migrated" | "pending"; pending: string[]; message: string };

/** Migrations shipped with this build (prisma/<provider>/migrations/<name>/migration.sql). */
export function shippedMigrations(dir: string): string[] {
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir)) return [];
  return fs
    .readdirSync(/*turbopackIgnore: true*/ dir)
    .filter((name) => fs.existsSync(/*turbopackIgnore: true*/ path.join(dir, name, "migration.sql")))
    .sort();
}

/** Compares the shipped migrations with those recorded as finished in the database. */
export async function migrationStatus(
  db: Database,
  dir = migrationsDir(providerOf(db)),
): Promise<MigrationStatus> {
  const shipped = shippedMigrations(dir);
  let applied: string[];
  try {
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    applied = rows.map((r) => r.migration_name);
  } catch (error) {
    // SQLite: "no such table"; PostgreSQL: relation "_prisma_migrations" does not exist (42P01).
    if (/no such table|does not exist|42P01/i.test((error as Error).message)) {
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
