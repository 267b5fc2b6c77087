import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

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
    // The controller, scripts, tests and benchmarks are plain Node programs, not Next pages.
    files: ["controller/**", "hack/**", "scripts/**", "test/**", "bench/**", "e2e/**", "lib/**"],
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
          patterns: [
            {
              group: ["**/server/**", "@/server/*", "**/components/**", "@/components/*"],
              message: "The controller never imports dashboard code; share through lib/.",
            },
          ],
        },
      ],
    },
  },
]);
