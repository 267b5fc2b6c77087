// The configuration the docs describe is the configuration the processes read: every
// `VAR` / `--flag` pair of a table is a controller setting with that flag, every controller
// setting is documented, and every variable named anywhere is read by the controller or the
// dashboard (or is named as not a setting).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONTROLLER_VARIABLES, flagEnvName, flagFor, flagsToEnv } from "../controller/config";
import { webEnvSchema } from "../server/web-config";
import { REPO_ROOT } from "../testing/paths";

describe("every variable in the docs", () => {
  const docs = [
    path.join(REPO_ROOT, "README.md"),
    ...fs.readdirSync(path.join(REPO_ROOT, "docs")).map((f) => path.join(REPO_ROOT, "docs", f)),
  ]
    .filter((file) => file.endsWith(".md"))
    .map((file) => ({ file: path.relative(REPO_ROOT, file), text: fs.readFileSync(file, "utf8") }));
  /** `VAR` / `--flag` as the configuration tables write a setting. */
  const documented = docs.flatMap(({ file, text }) =>
    [...text.matchAll(/`([A-Z][A-Z0-9_]*)` \/ `--([a-z0-9._-]+)`/g)].map((m) => ({
      file,
      variable: m[1]!,
      flag: m[2]!,
    })),
  );
  // Named in the docs but not settings of the controller or the dashboard: environment the
  // rendered agent containers get, and the local tooling's (cluster name, fake intake port, tests).
  const NOT_SETTINGS =
    /^(DD_(APM|LOGS|CLUSTER_AGENT|PROCESS_AGENT|SYSTEM_PROBE|PROXY)_|DD_(CLUSTER_NAME|LOG_LEVEL|TAGS|APP_KEY|DD_URL|ADDITIONAL_ENDPOINTS)$|FLEETDECK_(CLUSTER|FAKEINTAKE_PORT|TEST_[A-Z_]+)$)/;

  it("has the flag its name derives, and that flag reads it", () => {
    expect(documented.length).toBeGreaterThan(0);
    for (const { file, variable, flag } of documented) {
      expect(CONTROLLER_VARIABLES.has(variable), `${file}: ${variable} is not a controller variable`).toBe(
        true,
      );
      expect(flagEnvName(flag), `${file}: --${flag}`).toBe(variable);
      expect(flagsToEnv([`--${flag}=x`]), `${file}: --${flag}`).toEqual({ [variable]: "x" });
    }
  });

  it("documents every controller variable with its flag", () => {
    const withFlag = new Set(documented.map((d) => d.variable));
    expect([...CONTROLLER_VARIABLES].filter((v) => !withFlag.has(v))).toEqual([]);
    for (const variable of CONTROLLER_VARIABLES)
      expect(flagEnvName(flagFor(variable).slice(2))).toBe(variable);
  });

  it("names no variable that neither process reads", () => {
    const web = new Set(Object.keys(webEnvSchema.shape));
    const named = new Set(
      docs.flatMap(({ text }) =>
        [...text.matchAll(/\b(?:FLEETDECK|DD)_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]),
      ),
    );
    const prefixes = [...named].filter((v) => [...CONTROLLER_VARIABLES].some((c) => c.startsWith(`${v}_`)));
    const unknown = [...named].filter(
      (v) => !CONTROLLER_VARIABLES.has(v) && !web.has(v) && !NOT_SETTINGS.test(v) && !prefixes.includes(v),
    );
    expect(unknown).toEqual([]);
  });
});
