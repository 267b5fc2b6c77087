import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };
/** The dashboard's queries, read as its server does: "server-only" is a no-op there. */
const serverAlias = {
  ...alias,
  "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
};
const exclude = ["node_modules/**", ".next/**", "e2e/**", "prisma/generated/**", ".fleetdeck/**"];

/**
 * The PostgreSQL pass: the tests of what differs between the two stores, not the whole suites
 * again. The model API (Prisma) is the same on both, so what differs is raw SQL, migrations,
 * transactions and locking between processes, LISTEN/NOTIFY, unique violations and text
 * comparison; and the fleet, which needs PostgreSQL. The dashboard's queries (project store,
 * *.store.test.ts) run on both stores too (npm run test:store:pg), and the browser tests run the
 * whole product on PostgreSQL (e2e/global-setup.ts), so every read model is written there as well.
 * A new test of store code (lib/db/, controller/store/, controller/commands/store.ts, a raw query)
 * belongs here: add its file or folder, to this list when it needs no cluster (these run beside
 * the fault tests in npm test). `npm run test:int:pg` and `test:faults:pg` still run the whole
 * suites on PostgreSQL.
 */
export const POSTGRESQL_STORE_TESTS = [
  // migrations; the send charts' raw SQL in each dialect
  "lib/db/**/*.int.test.ts",
  // audit retention's batched deletes; cluster registration (unique violations, renames)
  "controller/store/**/*.int.test.ts",
  // the guarded claim (at most once between consumers), the doorbell (NOTIFY/LISTEN on PostgreSQL)
  "controller/commands/**/*.int.test.ts",
  // the send log's retention (raw SQL) and its batched writes
  "controller/metadata/send-log.int.test.ts",
  // the fleet driver's lease (two candidates racing, unique violations) and its guarded decisions
  "fleet-driver/lease.int.test.ts",
  "fleet-driver/store.int.test.ts",
  // PostgreSQL only: what a cluster's login and the hub's may do (row-level security, grants)
  "scripts/fleet/logins.int.test.ts",
];
/** The PostgreSQL pass's tests that run controllers on the run's cluster. */
export const POSTGRESQL_CLUSTER_TESTS = [
  // two controller processes on one store: the Lease, commands handed over
  "test/leader-election.int.test.ts",
  // PostgreSQL only: two clusters, four controllers, one database
  "test/fleet.int.test.ts",
  // PostgreSQL only: unreachable at start, restarted under load
  "test/faults/postgres.faults.test.ts",
  // PostgreSQL only: three clusters, a fleet experiment across them, two fleet drivers
  "test/fleet-experiments.int.test.ts",
];

/**
 * Creates, stops and restarts a cluster of its own. kwokctl gives a new cluster ports that are
 * free at that moment, which may be those of a component another test has stopped to restart
 * (its kube-apiserver then cannot listen again): so it runs with the fault tests, one file at a
 * time, not beside the integration tests' two halves.
 */
const CLUSTER_LIFECYCLE_TEST = "testing/local-cluster.int.test.ts";

export default defineConfig({
  resolve: { alias },
  test: {
    // Per-file durations in .fleetdeck/durations/ (testing/vitest-durations.ts).
    reporters: ["default", "./testing/vitest-durations.ts"],
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...exclude, "**/*.int.test.ts", "**/*.faults.test.ts", "**/*.store.test.ts"],
          environment: "node",
          // Files share their worker's modules instead of importing everything again each (a
          // third of the CPU time): a unit test restores what it changes (vi.stubEnv, mocks).
          isolate: false,
        },
      },
      {
        // The dashboard's queries against a real store and no cluster: SQLite, or PostgreSQL with
        // FLEETDECK_TEST_STORE=postgresql (test/store-setup.ts starts the server once).
        resolve: { alias: serverAlias },
        test: {
          name: "store",
          include: ["**/*.store.test.ts"],
          exclude,
          environment: "node",
          globalSetup: ["test/store-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Integration tests read the agent's page through the dashboard's queries too.
        resolve: { alias: serverAlias },
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: [...exclude, CLUSTER_LIFECYCLE_TEST],
          environment: "node",
          // One real control plane per run (test/global-setup.ts); a namespace per test file.
          globalSetup: ["test/global-setup.ts"],
          // Some files restart cluster components or run several controllers: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // npm run test:faults: crashes, outages and lock contention against the real stack.
          name: "faults",
          include: ["test/faults/**/*.faults.test.ts", CLUSTER_LIFECYCLE_TEST],
          exclude,
          environment: "node",
          globalSetup: ["test/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      // npm run test:pg: see POSTGRESQL_STORE_TESTS. Defined only when the run's store is
      // PostgreSQL (the global setups start the server for the whole run).
      ...(process.env.FLEETDECK_TEST_STORE === "postgresql"
        ? [
            {
              resolve: { alias },
              test: {
                name: "postgresql",
                include: POSTGRESQL_STORE_TESTS,
                exclude,
                environment: "node" as const,
                // No cluster: the server only.
                globalSetup: ["test/store-setup.ts"],
                fileParallelism: false,
                testTimeout: 180_000,
                hookTimeout: 120_000,
              },
            },
            {
              resolve: { alias },
              test: {
                name: "postgresql-cluster",
                include: POSTGRESQL_CLUSTER_TESTS,
                exclude,
                environment: "node" as const,
                globalSetup: ["test/global-setup.ts"],
                fileParallelism: false,
                testTimeout: 180_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : []),
    ],
  },
});
