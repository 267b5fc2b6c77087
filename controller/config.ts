// The controller's configuration, parsed once: every feature exports the zod schema of its
// environment variables; this module merges the environment with the command line, validates
// all of it in one pass (an error names every bad variable), and hands each feature its typed
// slice. Every variable is also a flag derived from its name: FLEETDECK_HEALTH_ADDR is
// --health-addr, KUBECONFIG --kubeconfig, DD_API_KEY --dd-api-key; the Datadog agent's dotted
// keys are accepted too (--autoscaling.cluster.spot.enabled). Nothing else in controller/
// reads process.env or process.argv.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { ConfigError, bool, hostPort, parseEnvWith } from "../lib/env";
import { parseLabels } from "../lib/labels";
import { accessEnvSchema, type AccessConfig } from "./access/config";
import { agentsEnvSchema, type AgentsConfig } from "./agents/config";
import {
  autoscalersConfigFrom,
  autoscalersEnvSchema,
  type AutoscalersConfig,
} from "./autoscaling/autoscalers/config";
import { spotConfigFrom, spotEnvSchema, type SpotConfig } from "./autoscaling/spot/config";
import type { InClusterAccess } from "./kube/kubeconfig";
import { metadataConfigFrom, metadataEnvSchema, type MetadataConfig } from "./metadata/config";
import { storeEnvSchema, type StoreConfig } from "./store/config";

export { ConfigError };

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** Seconds, fractions allowed (short lease timings in tests). */
const decimalSeconds = z.coerce.number().positive().max(3600);

/** A cluster's display name (FLEETDECK_CLUSTER_NAME, npm run fleet:add-cluster). */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,62}$/;
export const CLUSTER_NAME_RULE =
  "must be 1-63 letters, digits and . _ : @ -, starting with a letter or digit";

export const controllerEnvSchema = z.object({
  /** Path of a kubeconfig; unset → in-cluster config, else the local cluster's, else ~/.kube/config. */
  KUBECONFIG: z.string().trim().min(1).optional(),
  DATABASE_URL: z.string().trim().optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  /** Local state of a checkout (the local cluster's kubeconfig, the SQLite file). */
  FLEETDECK_HOME: z.string().trim().min(1).default(".fleetdeck"),
  /** Unique name of this process: the Lease holder identity and the heartbeat row's key. */
  FLEETDECK_CONTROLLER_ID: z.string().trim().min(1).max(128).default(`${os.hostname()}-${process.pid}`),
  /** The cluster's display name in the fleet; unset: the kubeconfig's context (in a pod: "cluster-<id>"). */
  FLEETDECK_CLUSTER_NAME: z.string().trim().regex(CLUSTER_NAME, CLUSTER_NAME_RULE).optional(),
  /**
   * The cluster's labels in the fleet, `key=value` pairs joined by commas (`env=prod,region=eu`):
   * shown on its card, selected by fleet experiments' waves (docs/fleet-experiments.md).
   */
  FLEETDECK_CLUSTER_LABELS: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseLabels(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    })
    .default({}),
  /** fleetdeck's own namespace (leader-election Lease, webhook certificate). */
  FLEETDECK_NAMESPACE: z
    .string()
    .trim()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .default("fleetdeck-system"),
  /** Address of /healthz, /readyz and /metrics. */
  FLEETDECK_HEALTH_ADDR: hostPort.default({ host: "127.0.0.1", port: 8081 }),
  /** /metrics only for a bearer token allowed to GET it (TokenReview + SubjectAccessReview). */
  FLEETDECK_METRICS_AUTH: bool.default(false),
  FLEETDECK_HEARTBEAT_SECONDS: seconds(1, 60).default(3),
  /** How long to keep trying to reach the API server at start-up before giving up. */
  FLEETDECK_STARTUP_TIMEOUT_SECONDS: seconds(1, 600).default(30),
  FLEETDECK_LEADER_ELECT: bool.default(true),
  /** Leader election timings (client-go's names and defaults); lease > renew deadline > retry period. */
  FLEETDECK_LEASE_DURATION_SECONDS: decimalSeconds.default(15),
  FLEETDECK_RENEW_DEADLINE_SECONDS: decimalSeconds.default(10),
  FLEETDECK_RETRY_PERIOD_SECONDS: decimalSeconds.default(2),
  /** A controller whose caches have not synced after this long is reported unready, loudly. */
  FLEETDECK_CACHE_SYNC_TIMEOUT_SECONDS: decimalSeconds.default(30),
  /** SQLite: how long a write waits for another process's lock on the file (a backup, a long
   * transaction) before it fails and is retried (then logged). */
  FLEETDECK_DB_BUSY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
});

/** Every feature's variables: the controller accepts these and nothing else. */
const schemas = [
  controllerEnvSchema,
  storeEnvSchema,
  agentsEnvSchema,
  metadataEnvSchema,
  spotEnvSchema,
  autoscalersEnvSchema,
  accessEnvSchema,
];
const allEnvSchema = z.object(Object.assign({}, ...schemas.map((s) => s.shape)) as z.ZodRawShape);

/** The name of every variable the controller reads. */
export const CONTROLLER_VARIABLES: ReadonlySet<string> = new Set(
  schemas.flatMap((s) => Object.keys(s.shape)),
);

export type CoreConfig = z.infer<typeof controllerEnvSchema>;

export interface ControllerConfig extends CoreConfig {
  /** Running in a pod with its ServiceAccount's token mounted. */
  inCluster: boolean;
  /** The API server and the mounted ServiceAccount, when in a cluster. */
  inClusterAccess: InClusterAccess | undefined;
  /** Kubeconfigs tried when KUBECONFIG is unset outside a cluster: the local cluster's, then ~/.kube/config. */
  kubeconfigFallbacks: string[];
  agents: AgentsConfig;
  store: StoreConfig;
  metadata: MetadataConfig;
  spot: SpotConfig;
  /** Out-of-range spot values replaced by their defaults, to be logged. */
  spotWarnings: string[];
  autoscalers: AutoscalersConfig;
  access: AccessConfig;
}

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** client-go's InClusterConfig: the service host and port, and the mounted token. */
export function inClusterAccess(env: Record<string, string | undefined>): InClusterAccess | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const tokenFile = `${SERVICE_ACCOUNT}/token`;
  if (!host || !fs.existsSync(tokenFile)) return undefined;
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT || "443"}`;
  return { server, tokenFile, caFile: `${SERVICE_ACCOUNT}/ca.crt` };
}

export function loadControllerConfig(
  env: Record<string, string | undefined> = process.env,
  argv: string[] = process.argv.slice(2),
): ControllerConfig {
  const flags = flagsToEnv(argv);
  const unknown = Object.keys(flags).filter((name) => !CONTROLLER_VARIABLES.has(name));
  if (unknown.length > 0) {
    const named = unknown.map((name) => `${name} (${flagFor(name)})`);
    throw new ConfigError(`unknown flag(s): ${named.join(", ")}`);
  }
  // Only the controller's own variables: the rest of the environment is not configuration.
  const merged = Object.fromEntries(
    Object.entries({ ...env, ...flags }).filter(([name]) => CONTROLLER_VARIABLES.has(name)),
  );
  const raw = parseEnvWith(allEnvSchema, merged) as Record<string, unknown>;
  const core = pick(raw, controllerEnvSchema) as CoreConfig;
  checkLeaseTimings(core);
  const inCluster = inClusterAccess(env);
  const spot = spotConfigFrom(pick(raw, spotEnvSchema) as never, {
    namespace: core.FLEETDECK_NAMESPACE,
    // A kubeconfig named explicitly means the controller runs outside, whatever the pod says.
    inCluster: Boolean(inCluster) && !core.KUBECONFIG,
  });
  return {
    ...core,
    inCluster: Boolean(inCluster),
    inClusterAccess: inCluster,
    kubeconfigFallbacks: [
      path.resolve(core.FLEETDECK_HOME, "kubeconfig"),
      path.join(os.homedir(), ".kube", "config"),
    ],
    agents: pick(raw, agentsEnvSchema) as AgentsConfig,
    store: pick(raw, storeEnvSchema) as StoreConfig,
    metadata: metadataConfigFrom(pick(raw, metadataEnvSchema) as never),
    spot: spot.config,
    spotWarnings: spot.warnings,
    autoscalers: autoscalersConfigFrom(pick(raw, autoscalersEnvSchema) as never),
    access: pick(raw, accessEnvSchema) as AccessConfig,
  };
}

/** client-go's rule: the lease outlasts the renew deadline, which outlasts a retry period. */
function checkLeaseTimings(core: CoreConfig): void {
  const lease = core.FLEETDECK_LEASE_DURATION_SECONDS;
  const renew = core.FLEETDECK_RENEW_DEADLINE_SECONDS;
  const retry = core.FLEETDECK_RETRY_PERIOD_SECONDS;
  if (lease > renew && renew > retry) return;
  throw new ConfigError(
    `invalid configuration:\n  FLEETDECK_LEASE_DURATION_SECONDS (${lease}) > FLEETDECK_RENEW_DEADLINE_SECONDS (${renew}) > FLEETDECK_RETRY_PERIOD_SECONDS (${retry}) must hold`,
  );
}

function pick(raw: Record<string, unknown>, schema: z.ZodObject): Record<string, unknown> {
  return Object.fromEntries(Object.keys(schema.shape).map((name) => [name, raw[name]]));
}

/**
 * The variable a flag stands for: the known variable whose name, without a FLEETDECK_ or DD_
 * prefix, is the flag with dots and dashes as underscores. An unknown flag maps to the
 * FLEETDECK_ (or, dotted, DD_) name it would have, for the error message.
 */
export function flagEnvName(flag: string, known: ReadonlySet<string> = CONTROLLER_VARIABLES): string {
  const normalized = flag.toUpperCase().replace(/[.-]/g, "_");
  for (const candidate of [normalized, `FLEETDECK_${normalized}`, `DD_${normalized}`]) {
    if (known.has(candidate)) return candidate;
  }
  return flag.includes(".") ? `DD_${normalized}` : `FLEETDECK_${normalized}`;
}

/** The flag of a variable: its name without FLEETDECK_, lower-case, words joined by dashes. */
export function flagFor(variable: string): string {
  const name = variable.startsWith("FLEETDECK_") ? variable.slice("FLEETDECK_".length) : variable;
  return `--${name.toLowerCase().replaceAll("_", "-")}`;
}

/** Turns `--name=value`, `--name value` and bare `--name` (= "true") into variables. */
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
