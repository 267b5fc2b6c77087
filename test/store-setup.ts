// The store project's global setup (server/queries/*.store.test.ts): no cluster, only the store
// of the run. FLEETDECK_TEST_STORE=postgresql starts one real PostgreSQL server for the run, as
// the integration suites' PostgreSQL pass does; on SQLite one migrated file is made here, once,
// for every test file to copy (test/query-store.ts) instead of migrating its own.
import fs from "node:fs";
import { createTestDatabaseFile, testStoreProvider } from "../testing/database";
import { startStore } from "./global-setup";

/** A migrated SQLite file the test files copy. */
export const SQLITE_TEMPLATE_ENV = "FLEETDECK_TEST_SQLITE_TEMPLATE";

export default async function setup() {
  const postgres = await startStore();
  if (testStoreProvider() === "sqlite")
    process.env[SQLITE_TEMPLATE_ENV] = await createTestDatabaseFile("template");
  return () => {
    postgres?.dispose();
    const template = process.env[SQLITE_TEMPLATE_ENV];
    if (template) fs.rmSync(template, { force: true });
  };
}
