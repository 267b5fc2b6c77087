// Applies prisma/migrations to a SQLite file with the real Prisma CLI (offline, JS engine):
// for npm run db:migrate (the image's init container), the demo and the test databases.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "./open";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export async function migrateDatabase(file: string, { quiet = true } = {}): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync(path.join(ROOT, "scripts/prisma.sh"), ["migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${file}` },
    stdio: quiet ? "pipe" : ["ignore", "inherit", "inherit"],
  });
  // Switches the file to WAL once, so both processes share it from the first start.
  const db = await openDatabase({ file });
  await db.$disconnect();
}
