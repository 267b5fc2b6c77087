import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Boundaries between folders (DESIGN.md, "Layout"), as no-restricted-imports patterns. A file
// gets one no-restricted-imports setting (a later block replaces an earlier one), so a block
// for a subfolder repeats its parent folder's patterns.

/** The controller and the dashboard talk only through the store. */
const notController = {
  group: ["**/controller/**", "@/controller/*"],
  message: "The dashboard never imports controller code; share through lib/.",
};

const notDashboard = {
  group: ["**/server/**", "@/server/*", "**/components/**", "@/components/*", "**/app/**", "@/app/*"],
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

/**
 * lib/ is the contract between the two processes (what both import), so it imports neither
 * process: no dashboard code (server/, components/, app/) and no controller code.
 */
const libBoundary = {
  group: [
    "**/server/**",
    "@/server/*",
    "**/components/**",
    "@/components/*",
    "**/app/**",
    "@/app/*",
    "**/controller/**",
    "@/controller/*",
  ],
  message: "lib/ is the contract both processes import: it imports neither the dashboard nor the controller.",
};

const outsideLibDb = "Database code belongs in lib/db/; outside it, import types only.";

/**
 * Pages, route handlers and the dashboard's queries read the store through the actor's read
 * scope (server/scope/): the store itself would show every cluster's rows to anyone.
 */
const unscopedStore = {
  regex: "(^|/)server/db$|^\\.\\./db$",
  message: "Read through the actor's read scope (server/scope/request.ts, scope.db), not the store itself.",
};

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
    // The dashboard and the controller talk only through the store (DESIGN.md). The store tests
    // of the dashboard's queries (*.store.test.ts) write their rows with the controller's own
    // store writers, as the controller would.
    files: ["app/**", "components/**", "server/**", "proxy.ts"],
    ignores: ["**/*.store.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [notController] }] },
  },
  {
    // The live stream reads sessions (not read-model rows) from the store itself.
    files: ["app/**", "server/queries/**"],
    ignores: ["**/*.store.test.ts", "app/api/stream/route.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [notController, unscopedStore] }] },
  },
  {
    // components/lib/ is what client components and server code both import: server/ code
    // there would be bundled for the browser.
    files: ["components/lib/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            notController,
            {
              group: ["**/server/**", "@/server/*", "**/app/**", "@/app/*", "server-only"],
              message: "components/lib/ runs in the browser too: it imports no server/ or app/ code.",
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
    files: ["lib/db/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [libBoundary] }] },
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
            libBoundary,
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
