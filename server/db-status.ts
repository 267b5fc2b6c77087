import "server-only";
import { migrationStatus } from "@/lib/db/migrations";
import { databaseFile } from "@/lib/db/url";
import { openDb } from "./db";

export type DatabaseStatus = { ok: true } | { ok: false; title: string; message: string; file: string };

/** Whether the dashboard can read its database, and if not, what the user should do. */
export async function databaseStatus(): Promise<DatabaseStatus> {
  let file = "";
  try {
    file = databaseFile();
    const status = await migrationStatus(await openDb());
    if (status.ok) return { ok: true };
    return {
      ok: false,
      title:
        status.reason === "not-migrated"
          ? "The database is not migrated"
          : "The database needs new migrations",
      message: status.message,
      file,
    };
  } catch (error) {
    return { ok: false, title: "The database cannot be opened", message: (error as Error).message, file };
  }
}
