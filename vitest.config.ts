import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };
/** The dashboard's queries, read as its server does: "server-only" is a no-op there. */
const serverAlias = {
  ...alias,
  "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
};
const exclude = ["node_modules/**", ".next/**", "e2e/**", "prisma/generated/**", ".fleetdeck/**"];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...exclude, "**/*.int.test.ts", "**/*.faults.test.ts", "**/*.store.test.ts"],
          environment: "node",
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
          exclude,
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
          include: ["test/faults/**/*.faults.test.ts"],
          exclude,
          environment: "node",
          globalSetup: ["test/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
