import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Boundaries between folders (DESIGN.md, "Layout"), as no-restricted-imports patterns. A file
// gets one no-restricted-imports setting (a later block replaces an earlier one), so a block
// for a subfolder repeats its parent folder's patterns.

/** The controller and the dashboard talk only through SQLite. */
const notDashboard = {
  group: ["**/server/**", "@/server/*", "**/components/**", "@/components/*"],
  message: "The controller never imports dashboard code; share through lib/.",
};

/**
 * controller/kube/ is Kubernetes mechanics: anything else of controller/ is feature code (agents,
 * metadata, autoscaling, commands, store, http, config, context). Its logger comes from its
 * caller, so of ../log only the Logger type. `up` is how many "../" lead from a file to kube/'s
 * parent: 1 for controller/kube/*.ts, 2 one folder deeper.
 */
function kubeBoundary(up) {
  const parent = `^(\\.\\./){${up}}`;
  const message =
    "controller/kube/ knows Kubernetes mechanics and no feature: take what you need as a parameter.";
  return [
    notDashboard,
    { regex: `${parent}(?!\\.\\./|kube(/|$)|log$)`, message },
    { regex: "^@/controller/(?!kube(/|$)|log$)", message },
    {
      regex: `(${parent}|^@/controller/)log$`,
      allowTypeImports: true,
      message: "controller/kube/ gets its logger from its caller: import only the Logger type.",
    },
  ];
}

const outsideLibDb = "Database code belongs in lib/db/; outside it, import types only.";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "prisma/generated/**",
    ".fleetdeck/**",
    "bench/results/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
    "dist/**",
  ]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // The controller, scripts, testing/, tests and benchmarks are plain Node programs, not Next pages.
    files: [
      "controller/**",
      "fleet-driver/**",
      "hack/**",
      "scripts/**",
      "testing/**",
      "test/**",
      "bench/**",
      "e2e/**",
      "lib/**",
    ],
    rules: { "@next/next/no-assign-module-variable": "off", "react-hooks/rules-of-hooks": "off" },
  },
  {
    // The dashboard and the controller talk only through SQLite (DESIGN.md).
    files: ["app/**", "components/**", "server/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/controller/**", "@/controller/*"],
              message: "The dashboard never imports controller code; share through lib/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["controller/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [notDashboard],
        },
      ],
    },
  },
  {
    // The fleet driver runs on the hub and reaches clusters only through the store (Command
    // rows): of the controller's code it shares only the logger and the store's start-up wait.
    files: ["fleet-driver/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/server/**", "@/server/*", "**/components/**", "@/components/*"],
              message: "The fleet driver never imports dashboard code; share through lib/.",
            },
            {
              regex: "^(\\.\\./)+controller/(?!log$|store/connect$|store/migrations$)",
              message: "The fleet driver talks to clusters through the store only; share through lib/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["controller/kube/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: kubeBoundary(1) }] },
  },
  {
    files: ["controller/kube/*/**"],
    rules: { "no-restricted-imports": ["error", { patterns: kubeBoundary(2) }] },
  },
  {
    // The product's scripts use testing/ (the envtest of this repo), never the test suites.
    files: ["scripts/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/test/**", "@/test/*"],
              message: "scripts/ never imports test/: move what both need to testing/.",
            },
          ],
        },
      ],
    },
  },
  {
    // testing/ serves scripts/ and test/, so it imports neither.
    files: ["testing/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/test/**", "@/test/*", "**/scripts/**", "@/scripts/*"],
              message: "testing/ serves scripts/ and test/ and imports neither.",
            },
          ],
        },
      ],
    },
  },
  {
    // Database code lives in lib/db/; the rest of lib/ is pure. Type imports are fine: read-model
    // row types come from Prisma's generated model types.
    files: ["lib/**"],
    ignores: ["lib/db/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@prisma/*", "better-sqlite3", "**/prisma/generated/**"],
              allowTypeImports: true,
              message: outsideLibDb,
            },
            {
              regex: "^(\\./|(\\.\\./)+)db(/|$)|(^|/)lib/db(/|$)",
              allowTypeImports: true,
              message: outsideLibDb,
            },
          ],
        },
      ],
    },
  },
]);
