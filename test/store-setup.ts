// The store of an integration run (a Vitest global setup, also used by test/global-setup.ts):
// with FLEETDECK_TEST_STORE=postgresql it starts a real PostgreSQL server, named to the test
// processes by the environment, and every test database of the run is then a database on it
// (testing/database.ts); otherwise the tests use SQLite files and nothing starts. One server
// for the whole run, however many projects of the run ask for it.
import { TEST_POSTGRES_ENV } from "../testing/database";
import { startPostgres, type PostgresServer } from "../testing/postgres";

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

export default async function setup() {
  return startStore();
}
