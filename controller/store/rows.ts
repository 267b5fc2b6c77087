// Appending rows on the hot path (send-log rows and the change-feed row that announces them)
// without Prisma's per-row path: each call is one transaction, whatever the number of rows.
// - SQLite: prepared statements (cached, one per table) on the adapter's own better-sqlite3
//   connection, run inside the adapter's transaction gate, so they never interleave with one of
//   Prisma's interactive transactions. About 0.02 ms of CPU a row against ~1 ms through Prisma.
// - PostgreSQL: one multi-row INSERT per table as raw SQL. No RETURNING, so a cluster's own
//   database login (row-level security, docs/security.md) may append what it may not read (the
//   change feed); every row still carries its cluster, which the policy checks.
// Values are written as Prisma writes them (DateTime on SQLite as ISO text with "+00:00"), so
// the models read them back unchanged.
import { providerOf, sqliteDriverOf, type Database, type SqliteConnection } from "../../lib/db/open";
import type { Topic } from "../../lib/topics";

export type CellValue = string | number | Date | null;

export interface RowBatch {
  /** The table (the model's name) and the columns given, in order; the others take their defaults. */
  table: string;
  columns: readonly string[];
  rows: CellValue[][];
}

/** A change-feed row (what recordChange writes), for the same transaction as the rows it announces. */
export function changeRow(topic: Topic, key = "", at = new Date()): RowBatch {
  return { table: "Change", columns: ["topic", "key", "at"], rows: [[topic, key, at]] };
}

/** PostgreSQL allows 65,535 parameters in a statement. */
const MAX_PARAMETERS = 60_000;

/** Appends every batch in one transaction; nothing is written if any row fails. */
export async function appendRows(db: Database, batches: RowBatch[]): Promise<void> {
  const nonEmpty = batches.filter((b) => b.rows.length > 0);
  if (nonEmpty.length === 0) return;
  if (providerOf(db) === "postgresql") {
    await db.$transaction(nonEmpty.flatMap((batch) => postgresInserts(db, batch)));
    return;
  }
  const driver = sqliteDriverOf(db);
  if (!driver) {
    // Not opened by openDatabase's adapter (never the case in the controller): the models' way.
    throw new Error("appendRows: the SQLite client has no driver connection (open it with openDatabase)");
  }
  const tx = await driver.startTransaction();
  try {
    for (const batch of nonEmpty) {
      const insert = preparedInsert(driver.connection, batch);
      for (const row of batch.rows) insert.run(...row.map(sqliteValue));
    }
    driver.connection.prepare("COMMIT").run();
    await tx.commit();
  } catch (error) {
    try {
      driver.connection.prepare("ROLLBACK").run();
    } finally {
      await tx.rollback();
    }
    throw error;
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

function postgresInserts(db: Database, batch: RowBatch) {
  const width = batch.columns.length;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
  const statements = [];
  for (let start = 0; start < batch.rows.length; start += perStatement) {
    const rows = batch.rows.slice(start, start + perStatement);
    const values = rows
      .map((_, r) => `(${batch.columns.map((__, c) => `$${r * width + c + 1}`).join(", ")})`)
      .join(", ");
    const sql = `INSERT INTO ${quoted(batch.table)} (${batch.columns.map(quoted).join(", ")}) VALUES ${values}`;
    statements.push(db.$executeRawUnsafe(sql, ...rows.flat()));
  }
  return statements;
}

const statements = new WeakMap<SqliteConnection, Map<string, ReturnType<SqliteConnection["prepare"]>>>();

function preparedInsert(connection: SqliteConnection, batch: RowBatch) {
  const sql =
    `INSERT INTO ${quoted(batch.table)} (${batch.columns.map(quoted).join(", ")}) ` +
    `VALUES (${batch.columns.map(() => "?").join(", ")})`;
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** As Prisma's better-sqlite3 adapter binds it. */
function sqliteValue(value: CellValue): string | number | null {
  return value instanceof Date ? value.toISOString().replace("Z", "+00:00") : value;
}
