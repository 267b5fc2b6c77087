// The store of a test run, no cluster: the global setup of the projects that need only a store
// (store: server/queries/*.store.test.ts; postgresql: the store code's tests), and the store
// half of test/global-setup.ts. With FLEETDECK_TEST_STORE=postgresql it starts one real
// PostgreSQL server for the whole run, however many projects of the run ask for it, named to the
// test processes by the environment: every test database of the run is then a database on it
// (testing/database.ts). On SQLite one migrated file is made here, once, for the test files to
// copy (test/query-store.ts) instead of migrating their own.
import fs from "node:fs";
import { TEST_POSTGRES_ENV, createTestDatabaseFile, testStoreProvider } from "../testing/database";
import { startPostgres, type PostgresServer } from "../testing/postgres";

/** A migrated SQLite file the test files copy. */
export const SQLITE_TEMPLATE_ENV = "FLEETDECK_TEST_SQLITE_TEMPLATE";

let server: Promise<PostgresServer | undefined> | undefined;
let users = 0;

/** Starts the run's store once; the returned function releases it (the last one stops it). */
export async function startStore(): Promise<() => Promise<void>> {
  users++;
  server ??= start();
  await server;
  return async () => {
    if (--users > 0) return;
    (await server)?.dispose();
    server = undefined;
  };
}

async function start(): Promise<PostgresServer | undefined> {
  const store = process.env.FLEETDECK_TEST_STORE ?? "sqlite";
  if (store === "sqlite") return undefined;
  if (store !== "postgresql")
    throw new Error(`FLEETDECK_TEST_STORE must be sqlite or postgresql, got "${store}"`);
  const postgres = await startPostgres("fleetdeck-test");
  process.env[TEST_POSTGRES_ENV] = postgres.url();
  console.log(
    `[store] PostgreSQL on 127.0.0.1:${postgres.port} (every test database is one of its databases)`,
  );
  return postgres;
}

let setups = 0;

export default async function setup() {
  const release = await startStore();
  setups++;
  if (testStoreProvider() === "sqlite" && !process.env[SQLITE_TEMPLATE_ENV])
    process.env[SQLITE_TEMPLATE_ENV] = await createTestDatabaseFile("template");
  return async () => {
    await release();
    const template = process.env[SQLITE_TEMPLATE_ENV];
    if (--setups > 0 || !template) return;
    fs.rmSync(template, { force: true });
    delete process.env[SQLITE_TEMPLATE_ENV];
  };
}
