import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/env";
import { webEnvSchema } from "../lib/web-config";
import { driverEnvSchema } from "../fleet-driver/config";
import { CONTROLLER_VARIABLES, flagEnvName, flagFor, flagsToEnv, loadControllerConfig } from "./config";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("controller configuration", () => {
  it("has working defaults", () => {
    const config = loadControllerConfig({}, []);
    expect(config.FLEETDECK_HEALTH_ADDR).toEqual({ host: "127.0.0.1", port: 8081 });
    expect(config.FLEETDECK_HEARTBEAT_SECONDS).toBe(3);
    expect(config.FLEETDECK_NAMESPACE).toBe("fleetdeck-system");
    expect(config.FLEETDECK_LEADER_ELECT).toBe(true);
  });

  it("maps flags to the environment names they stand for", () => {
    expect(flagEnvName("kubeconfig")).toBe("KUBECONFIG");
    expect(flagEnvName("health-addr")).toBe("FLEETDECK_HEALTH_ADDR");
    expect(flagEnvName("autoscaling.cluster.spot.enabled")).toBe("DD_AUTOSCALING_CLUSTER_SPOT_ENABLED");
    expect(flagsToEnv(["--health-addr=0.0.0.0:9000", "--kubeconfig", "/tmp/kc", "--leader-elect"])).toEqual({
      FLEETDECK_HEALTH_ADDR: "0.0.0.0:9000",
      KUBECONFIG: "/tmp/kc",
      FLEETDECK_LEADER_ELECT: "true",
    });
  });

  it("lets a flag override the environment", () => {
    const config = loadControllerConfig({ FLEETDECK_HEARTBEAT_SECONDS: "5" }, ["--heartbeat-seconds=7"]);
    expect(config.FLEETDECK_HEARTBEAT_SECONDS).toBe(7);
  });

  it("names every bad variable in one error", () => {
    let error: unknown;
    try {
      loadControllerConfig(
        { FLEETDECK_HEARTBEAT_SECONDS: "soon", FLEETDECK_HEALTH_ADDR: "nope", LOG_LEVEL: "loud" },
        [],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("FLEETDECK_HEARTBEAT_SECONDS");
    expect(message).toContain("FLEETDECK_HEALTH_ADDR");
    expect(message).toContain("LOG_LEVEL");
  });

  it("refuses unknown flags and stray arguments", () => {
    expect(() => loadControllerConfig({}, ["--no-such-flag=1"])).toThrow(
      /unknown flag\(s\): FLEETDECK_NO_SUCH_FLAG/,
    );
    expect(() => loadControllerConfig({}, ["stray"])).toThrow(/unexpected argument "stray"/);
  });

  it("treats empty variables as unset", () => {
    expect(loadControllerConfig({ FLEETDECK_HEARTBEAT_SECONDS: "" }, []).FLEETDECK_HEARTBEAT_SECONDS).toBe(3);
  });

  it("reads the cluster's labels, and names a bad one", () => {
    expect(loadControllerConfig({}, []).FLEETDECK_CLUSTER_LABELS).toEqual({});
    expect(
      loadControllerConfig({ FLEETDECK_CLUSTER_LABELS: "env=prod,region=eu" }, []).FLEETDECK_CLUSTER_LABELS,
    ).toEqual({ env: "prod", region: "eu" });
    expect(() => loadControllerConfig({}, ["--cluster-labels=env"])).toThrow(
      /FLEETDECK_CLUSTER_LABELS: "env" is not key=value/,
    );
  });
});

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
    /^(DD_(APM|LOGS|CLUSTER_AGENT|PROCESS_AGENT|SYSTEM_PROBE)_|DD_(CLUSTER_NAME|LOG_LEVEL|TAGS)$|FLEETDECK_(CLUSTER|FAKEINTAKE_PORT|TEST_[A-Z_]+)$)/;

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

  it("names no variable that no process reads", () => {
    const web = new Set([...Object.keys(webEnvSchema.shape), ...Object.keys(driverEnvSchema.shape)]);
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
