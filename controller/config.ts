// The controller's configuration: environment variables, each also settable as a flag.
// Validated with zod at start-up; a bad value stops the process with a message naming it.
import os from "node:os";
import { z } from "zod";
import { ConfigError, parseEnvWith } from "../lib/env";

export const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"]))
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const hostPort = z
  .string()
  .trim()
  .regex(/^[^:\s]*:\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:8081")
  .transform((v) => {
    const i = v.lastIndexOf(":");
    return { host: v.slice(0, i) || "0.0.0.0", port: Number(v.slice(i + 1)) };
  });

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const controllerEnvSchema = z.object({
  /** Path of a kubeconfig; unset → in-cluster config, else the local cluster's, else ~/.kube/config. */
  KUBECONFIG: z.string().trim().min(1).optional(),
  DATABASE_URL: z.string().trim().optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  /** Unique name of this process: the Lease holder identity and the heartbeat row's key. */
  FLEETDECK_CONTROLLER_ID: z.string().trim().min(1).max(128).default(`${os.hostname()}-${process.pid}`),
  /** fleetdeck's own namespace (leader-election Lease, webhook certificate). */
  FLEETDECK_NAMESPACE: z
    .string()
    .trim()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .default("fleetdeck-system"),
  /** Address of /healthz, /readyz and /metrics. */
  FLEETDECK_HEALTH_ADDR: hostPort.default({ host: "127.0.0.1", port: 8081 }),
  FLEETDECK_HEARTBEAT_SECONDS: seconds(1, 60).default(3),
  /** How long to keep trying to reach the API server at start-up before giving up. */
  FLEETDECK_STARTUP_TIMEOUT_SECONDS: seconds(1, 600).default(30),
  FLEETDECK_LEADER_ELECT: bool.default(true),
  /** How long a write waits for another process's lock on the SQLite file (a backup, a long
   * transaction) before it fails and is retried (then logged). */
  FLEETDECK_DB_BUSY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
});

export type ControllerConfig = z.infer<typeof controllerEnvSchema>;

export { ConfigError };

/** Flags that do not follow the `--foo-bar` → `FLEETDECK_FOO_BAR` rule. */
const FLAG_ALIASES: Record<string, string> = {
  kubeconfig: "KUBECONFIG",
  "database-url": "DATABASE_URL",
  "log-level": "LOG_LEVEL",
};

/**
 * Turns `--name=value`, `--name value` and bare `--name` (= "true") into environment names:
 * `--health-addr` → FLEETDECK_HEALTH_ADDR, `--autoscaling.cluster.spot.enabled` →
 * DD_AUTOSCALING_CLUSTER_SPOT_ENABLED (the Datadog agent's convention for dotted keys).
 */
export function flagsToEnv(argv: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--"))
      throw new ConfigError(`unexpected argument "${arg}" (flags look like --name=value)`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) value = argv[++i]!;
    else value = "true";
    env[flagEnvName(name)] = value;
  }
  return env;
}

export function flagEnvName(flag: string): string {
  if (FLAG_ALIASES[flag]) return FLAG_ALIASES[flag];
  if (flag.includes(".")) return `DD_${flag.replaceAll(".", "_").toUpperCase()}`;
  return `FLEETDECK_${flag.replaceAll("-", "_").toUpperCase()}`;
}

export function loadControllerConfig(
  env: Record<string, string | undefined> = process.env,
  argv: string[] = process.argv.slice(2),
): ControllerConfig {
  const merged = { ...env, ...flagsToEnv(argv) };
  const known = new Set(Object.keys(controllerEnvSchema.shape));
  const unknownFlags = Object.keys(flagsToEnv(argv)).filter(
    (name) => !known.has(name) && !isFeatureVariable(name),
  );
  if (unknownFlags.length > 0) throw new ConfigError(`unknown flag(s): ${unknownFlags.join(", ")}`);
  return parseEnvWith(controllerEnvSchema, merged);
}

/** Variables read by feature modules with their own schemas (spot, metadata, autoscaling). */
const FEATURE_PREFIXES = [
  "DD_",
  "FLEETDECK_SPOT_",
  "FLEETDECK_METADATA_",
  "FLEETDECK_AUTOSCALER_",
  "FLEETDECK_POD_CACHE_",
];

function isFeatureVariable(name: string): boolean {
  return FEATURE_PREFIXES.some((prefix) => name.startsWith(prefix));
}
