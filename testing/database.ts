// Real SQLite files for tests: migrated once with the real `prisma migrate deploy`, then
// copied, so every test (or process) gets its own database quickly.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { STATE_DIR } from "./paths";
import { openDatabase, type Database } from "../lib/db/open";
import { migrateDatabase } from "../lib/db/migrate";

const DB_DIR = path.join(STATE_DIR, "test-db");
let template: string | undefined;

/** A new, migrated database file; returns its path. */
export async function createTestDatabaseFile(prefix = "test"): Promise<string> {
  if (!template || !fs.existsSync(template)) {
    template = path.join(DB_DIR, `template-${process.pid}-${randomBytes(3).toString("hex")}.db`);
    await migrateDatabase(template);
  }
  const file = path.join(DB_DIR, `${prefix}-${randomBytes(4).toString("hex")}.db`);
  fs.copyFileSync(template, file);
  return file;
}

export async function createTestDatabase(prefix = "test"): Promise<{ file: string; db: Database }> {
  const file = await createTestDatabaseFile(prefix);
  return { file, db: await openDatabase({ file }) };
}
