// Writing rows on the hot path (send-log rows, the agents' read-model rows, and the change-feed
// rows that announce them) without Prisma's per-row path: each call is one transaction, whatever
// the number of rows. A batch appends, or upserts on the table's key (`upsertOn`); an update is
// one raw UPDATE with `?` placeholders.
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

export type CellValue = string | number | boolean | Date | null;

export interface RowBatch {
  /** The table (the model's name) and the columns given, in order; the others take their defaults. */
  table: string;
  columns: readonly string[];
  rows: CellValue[][];
  /**
   * The table's key: a row whose key exists updates the columns given instead (INSERT … ON
   * CONFLICT DO UPDATE, on both stores). A batch must not name one key twice.
   */
  upsertOn?: readonly string[];
}

/** One UPDATE (or DELETE) statement, `?` for each parameter, in the same transaction as the batches. */
export interface RowUpdate {
  sql: string;
  params: CellValue[];
}

const isUpdate = (write: RowBatch | RowUpdate): write is RowUpdate => "sql" in write;

/** A change-feed row (what recordChange writes), for the same transaction as the rows it announces. */
export function changeRow(topic: Topic, key = "", at = new Date()): RowBatch {
  return { table: "Change", columns: ["topic", "key", "at"], rows: [[topic, key, at]] };
}

/** PostgreSQL allows 65,535 parameters in a statement. */
const MAX_PARAMETERS = 60_000;

/** Writes every batch and update, in order, in one transaction; nothing is written if any fails. */
export async function appendRows(db: Database, writes: (RowBatch | RowUpdate)[]): Promise<void> {
  const nonEmpty = writes.filter((w) => isUpdate(w) || w.rows.length > 0);
  if (nonEmpty.length === 0) return;
  if (providerOf(db) === "postgresql") {
    await db.$transaction(
      nonEmpty.flatMap((w) =>
        isUpdate(w) ? [db.$executeRawUnsafe(numbered(w.sql), ...w.params)] : postgresInserts(db, w),
      ),
    );
    return;
  }
  const driver = sqliteDriverOf(db);
  if (!driver) {
    // Not opened by openDatabase's adapter (never the case in the controller): the models' way.
    throw new Error("appendRows: the SQLite client has no driver connection (open it with openDatabase)");
  }
  const tx = await driver.startTransaction();
  try {
    for (const write of nonEmpty) {
      if (isUpdate(write)) {
        prepared(driver.connection, write.sql).run(...write.params.map(sqliteValue));
        continue;
      }
      const insert = prepared(
        driver.connection,
        insertSql(write, [`(${write.columns.map(() => "?").join(", ")})`]),
      );
      for (const row of write.rows) insert.run(...row.map(sqliteValue));
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

/**
 * One raw SELECT (`?` placeholders) on the hot path: a prepared statement on SQLite, inside the
 * adapter's transaction gate like the writes (never inside someone's open transaction); a raw
 * query on PostgreSQL. Columns come back as the driver gives them (SQLite: DateTime as text).
 */
export async function selectRows<T extends Record<string, unknown>>(
  db: Database,
  sql: string,
  params: CellValue[],
): Promise<T[]> {
  if (providerOf(db) === "postgresql") return db.$queryRawUnsafe<T[]>(numbered(sql), ...params);
  const driver = sqliteDriverOf(db);
  if (!driver)
    throw new Error("selectRows: the SQLite client has no driver connection (open it with openDatabase)");
  const tx = await driver.startTransaction();
  try {
    const rows = prepared(driver.connection, sql).all(...params.map(sqliteValue)) as T[];
    driver.connection.prepare("COMMIT").run();
    await tx.commit();
    return rows;
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

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replaceAll("?", () => `$${++n}`);
};

/** INSERT of `values` (one placeholder list per row), with the batch's upsert clause. */
function insertSql(batch: RowBatch, values: string[]): string {
  const upsert = batch.upsertOn
    ? ` ON CONFLICT (${batch.upsertOn.map(quoted).join(", ")}) DO UPDATE SET ` +
      batch.columns
        .filter((c) => !batch.upsertOn!.includes(c))
        .map((c) => `${quoted(c)} = excluded.${quoted(c)}`)
        .join(", ")
    : "";
  return (
    `INSERT INTO ${quoted(batch.table)} (${batch.columns.map(quoted).join(", ")}) ` +
    `VALUES ${values.join(", ")}${upsert}`
  );
}

function postgresInserts(db: Database, batch: RowBatch) {
  const width = batch.columns.length;
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
  const statements = [];
  for (let start = 0; start < batch.rows.length; start += perStatement) {
    const rows = batch.rows.slice(start, start + perStatement);
    const values = rows.map(
      (_, r) => `(${batch.columns.map((__, c) => `$${r * width + c + 1}`).join(", ")})`,
    );
    statements.push(db.$executeRawUnsafe(insertSql(batch, values), ...rows.flat()));
  }
  return statements;
}

const statements = new WeakMap<SqliteConnection, Map<string, ReturnType<SqliteConnection["prepare"]>>>();

function prepared(connection: SqliteConnection, sql: string) {
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** As Prisma's better-sqlite3 adapter binds it. */
function sqliteValue(value: CellValue): string | number | null {
  if (typeof value === "boolean") return value ? 1 : 0;
  return value instanceof Date ? value.toISOString().replace("Z", "+00:00") : value;
}
