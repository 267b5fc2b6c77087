import type { Database } from "../../lib/db/open";
import { migrationStatus } from "../../lib/db/migrations";

export class DatabaseNotReadyError extends Error {
  override name = "DatabaseNotReadyError";
}

/** The controller refuses to start on a database whose schema is not the one it was built for. */
export async function assertMigrated(db: Database): Promise<void> {
  const status = await migrationStatus(db);
  if (!status.ok) throw new DatabaseNotReadyError(status.message);
}
