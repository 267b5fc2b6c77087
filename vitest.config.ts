import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };
/** Integration tests read the dashboard's queries as its server does: "server-only" is a no-op there. */
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
          exclude: [...exclude, "**/*.int.test.ts", "**/*.faults.test.ts"],
          environment: "node",
        },
      },
      {
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
