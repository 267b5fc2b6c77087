import "server-only";
import { migrationStatus } from "@/lib/db/migrations";
import { isUnreachableError } from "@/lib/db/open";
import { describeStore, storeLocation } from "@/lib/db/url";
import { redactText } from "@/lib/redact";
import { openDb } from "./db";

export type DatabaseStatus =
  { ok: true } | { ok: false; title: string; message: string; store: string; fix: string };

/**
 * Whether the dashboard can read its database, and if not, what the user should do. Shown on
 * every page, /login included, to whoever opens it: the store and the driver's message go
 * through the one redactor (a DATABASE_URL may carry ?password=, an error may quote it).
 */
export async function databaseStatus(): Promise<DatabaseStatus> {
  const status = await readDatabaseStatus();
  return status.ok
    ? status
    : { ...status, message: redactText(status.message), store: redactText(status.store) };
}

async function readDatabaseStatus(): Promise<DatabaseStatus> {
  let store = "";
  let provider = "sqlite";
  try {
    const location = storeLocation();
    store = describeStore(location);
    provider = location.provider;
    const status = await migrationStatus(await openDb());
    if (status.ok) return { ok: true };
    return {
      ok: false,
      title:
        status.reason === "not-migrated"
          ? "The database is not migrated"
          : "The database needs new migrations",
      message: status.message,
      store,
      fix: "npm run db:migrate",
    };
  } catch (error) {
    const message = String((error as Error).message ?? error)
      .split("\n")[0]!
      .slice(0, 300);
    if (isUnreachableError(error)) {
      return {
        ok: false,
        title: "The database is unreachable",
        message: `The dashboard cannot connect to its database: ${message}. Pages come back by themselves once it answers again.`,
        store,
        fix: "check that the database server runs and that DATABASE_URL names it",
      };
    }
    return {
      ok: false,
      title: "The database cannot be opened",
      message,
      store,
      fix: provider === "sqlite" ? "npm run db:migrate" : "check DATABASE_URL",
    };
  }
}
