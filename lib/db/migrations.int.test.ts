// The shipped migrations build exactly the schema: a database migrated step by step has the
// same tables, columns, keys and indexes as one created at once from the provider's schema
// (`prisma migrate diff --from-empty`). Runs on the pass's store (SQLite, or PostgreSQL).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import BetterSqlite from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  createTestDatabaseFile,
  createPostgresDatabase,
  databaseUrl,
  TEST_POSTGRES_ENV,
  testStoreProvider,
} from "../../testing/database";
import { REPO_ROOT } from "../../testing/paths";
import { clusterRowModels } from "../../scripts/db-schemas/render";
import { databaseFile } from "./url";

const provider = testStoreProvider();

/** The schema's whole DDL, as Prisma writes it for an empty database. */
function schemaScript(): string {
  return execFileSync(
    path.join(REPO_ROOT, "scripts/prisma.sh"),
    [
      "migrate",
      "diff",
      "--from-empty",
      "--to-schema-datamodel",
      `prisma/${provider}/schema.prisma`,
      "--script",
    ],
    { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
}

type Shape = Record<string, string[]>;

function sqliteShape(file: string): Shape {
  const db = new BetterSqlite(file, { readonly: true });
  try {
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name != 'sqlite_sequence'`,
      )
      .all() as { name: string }[];
    const shape: Shape = {};
    for (const { name } of tables) {
      const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as Record<string, unknown>[]).map(
        (c) => `column ${c.name} ${c.type} notnull=${c.notnull} default=${c.dflt_value} pk=${c.pk}`,
      );
      const indexes = (
        db.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number }[]
      ).map((i) => {
        const cols = (db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map(
          (c) => c.name,
        );
        return `index ${i.name.startsWith("sqlite_autoindex") ? "(primary key)" : i.name} unique=${i.unique} (${cols.join(", ")})`;
      });
      shape[name] = [...columns, ...indexes].sort();
    }
    return shape;
  } finally {
    db.close();
  }
}

async function postgresShape(url: string): Promise<Shape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query<{ table_name: string; line: string }>(
      `SELECT table_name, concat_ws(' ', 'column', column_name, data_type, is_nullable, column_default) AS line
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name != '_prisma_migrations'`,
    );
    const indexes = await client.query<{ table_name: string; line: string }>(
      `SELECT tablename AS table_name, concat('index ', indexdef) AS line
         FROM pg_indexes WHERE schemaname = 'public' AND tablename != '_prisma_migrations'`,
    );
    const shape: Shape = {};
    for (const row of [...columns.rows, ...indexes.rows]) (shape[row.table_name] ??= []).push(row.line);
    for (const lines of Object.values(shape)) lines.sort();
    return shape;
  } finally {
    await client.end();
  }
}

describe(`the ${provider} migrations`, () => {
  it("build the same tables, columns, keys and indexes as the schema", async () => {
    const script = schemaScript();
    if (provider === "sqlite") {
      const migrated = await createTestDatabaseFile("migrated");
      const fromSchema = databaseFile({
        DATABASE_URL: `${path.dirname(migrated)}/from-schema-${Date.now()}.db`,
      });
      const db = new BetterSqlite(fromSchema);
      db.exec(script);
      db.close();
      expect(sqliteShape(migrated)).toEqual(sqliteShape(fromSchema));
    } else {
      const server = process.env[TEST_POSTGRES_ENV]!;
      const migrated = await createPostgresDatabase(server, `migrated_${Date.now()}`);
      const name = `from_schema_${Date.now()}`;
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const client = new pg.Client({ connectionString: databaseUrl(server, name) });
      await client.connect();
      await client.query(script);
      await client.end();
      expect(await postgresShape(migrated)).toEqual(await postgresShape(databaseUrl(server, name)));
    }
  }, 60_000);

  it.skipIf(provider !== "postgresql")(
    "give every table of cluster rows its row-level security, and a cluster's login no table without it but four",
    async () => {
      const url = await createPostgresDatabase(process.env[TEST_POSTGRES_ENV]!, `policies_${Date.now()}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{
          table: string;
          hasClusterId: boolean;
          rowSecurity: boolean;
          clusterPolicy: string | null;
          clusterReaches: boolean;
        }>(`
          SELECT c.relname AS "table",
                 EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'clusterId' AND NOT a.attisdropped) AS "hasClusterId",
                 c.relrowsecurity AS "rowSecurity",
                 (SELECT p.qual FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                    AND p.policyname = 'cluster_rows' AND 'fleetdeck_cluster' = ANY (p.roles)) AS "clusterPolicy",
                 has_table_privilege('fleetdeck_cluster', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                   OR has_any_column_privilege('fleetdeck_cluster', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES') AS "clusterReaches"
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r'`);
        const clusterTables = rows.filter((r) => r.hasClusterId).map((r) => r.table);
        // The schema's models of cluster rows are the database's tables with a clusterId.
        const models = clusterRowModels(
          fs.readFileSync(path.join(REPO_ROOT, "prisma/models.prisma"), "utf8"),
        );
        expect(clusterTables.sort()).toEqual([...models].sort());
        const unprotected = rows
          .filter(
            (r) => r.hasClusterId && !(r.rowSecurity && r.clusterPolicy?.includes("fleetdeck_cluster_id()")),
          )
          .map((r) => r.table);
        expect(unprotected, "tables of cluster rows without the cluster_rows policy").toEqual([]);
        // Beyond its cluster's rows a login reaches its Cluster row (policy on id), the change
        // feed and the people seen (policies of their own), and the migrations' names.
        const elsewhere = rows.filter((r) => r.clusterReaches && !r.hasClusterId).map((r) => r.table);
        expect(elsewhere.sort()).toEqual(["AccessSubject", "Change", "Cluster", "_prisma_migrations"]);
        for (const table of ["AccessSubject", "Change", "Cluster"])
          expect(rows.find((r) => r.table === table)?.rowSecurity).toBe(true);
      } finally {
        await client.end();
      }
    },
    60_000,
  );
});
