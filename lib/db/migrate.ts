// Applies the provider's migrations: prisma/sqlite/migrations with the real Prisma CLI
// (offline, JS engine), prisma/postgresql/migrations with ./migrate-postgres.ts (recorded the
// same way). For npm run db:migrate (the image's init container), the demo and the test
// databases. Concurrent runs on PostgreSQL are safe (an advisory lock).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migratePostgres } from "./migrate-postgres";
import { openDatabase } from "./open";
import type { StoreLocation } from "./url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A SQLite file (its path) or any store location. */
export async function migrateDatabase(target: string | StoreLocation, { quiet = true } = {}): Promise<void> {
  const location: StoreLocation = typeof target === "string" ? { provider: "sqlite", file: target } : target;
  if (location.provider === "postgresql") {
    const log = quiet ? undefined : (line: string) => console.log(line);
    return migratePostgres(location.url, path.join(ROOT, "prisma/postgresql/migrations"), log);
  }
  fs.mkdirSync(path.dirname(location.file), { recursive: true });
  execFileSync(path.join(ROOT, "scripts/prisma.sh"), ["migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${location.file}` },
    stdio: quiet ? "pipe" : ["ignore", "inherit", "inherit"],
  });
  // Switches the file to WAL once, so both processes share it from the first start.
  const db = await openDatabase({ file: location.file });
  await db.$disconnect();
}
