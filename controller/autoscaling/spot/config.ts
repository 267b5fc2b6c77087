// Spot scheduling settings: the upstream keys as DD_AUTOSCALING_CLUSTER_SPOT_* variables (or
// --autoscaling.cluster.spot.* flags), with upstream's defaults and its rule that an out-of-range
// value falls back to the built-in default with a warning; plus fleetdeck's own FLEETDECK_SPOT_*
// settings for the webhook server, its registration and the loops. A value that is not even of
// the right type (a percentage of "lots") stops the controller with a message naming it.
import { z } from "zod";
import { bool, duration, hostPort, parseEnvWith } from "../../../lib/env";

/**
 * Concurrent connections the webhook's server accepts by default; the API server keeps a few
 * alive. Each may be buffering a body of up to MAX_BODY_BYTES (webhook.ts), so connections ×
 * 3 MiB must stay well within the controller's memory limit: 32 × 3 MiB = 96 MiB, a quarter of
 * config/deploy's 512 MiB (webhook-memory.test.ts checks every variant). Past the cap a new
 * connection is closed at once and the API server applies the failure policy (Ignore: the pod
 * is created unchanged, on-demand).
 */
export const WEBHOOK_MAX_CONNECTIONS = 32;

/** Built-in defaults, and what an out-of-range value falls back to (upstream config.go). */
export const SPOT_DEFAULTS = {
  percentage: 100,
  minOnDemandReplicas: 0,
  /** Upstream's fallback for a negative min_on_demand_replicas: one on-demand pod per zone of a 3-zone region. */
  minOnDemandReplicasWhenOutOfRange: 3,
  scheduleTimeoutMs: 60_000,
  fallbackDurationMs: 120_000,
  rebalanceStabilizationMs: 60_000,
  loopIntervalMs: 10_000,
} as const;

const integer = z
  .string()
  .trim()
  .regex(/^-?\d+$/, "expected an integer")
  .transform(Number);

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const spotEnvSchema = z.object({
  DD_AUTOSCALING_CLUSTER_SPOT_ENABLED: bool.default(false),
  DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_PERCENTAGE: integer.optional(),
  DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_MIN_ON_DEMAND_REPLICAS: integer.optional(),
  DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: duration.optional(),
  DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION: duration.optional(),
  DD_AUTOSCALING_CLUSTER_SPOT_REBALANCE_STABILIZATION_PERIOD: duration.optional(),
  /** Tick of the fallback and rebalance loops (upstream: a fixed 10 s). */
  FLEETDECK_SPOT_LOOP_INTERVAL: duration
    .pipe(z.number().min(100, "must be at least 100ms"))
    .default(SPOT_DEFAULTS.loopIntervalMs),
  /** Where the webhook's HTTPS server listens (every replica serves it). */
  FLEETDECK_SPOT_WEBHOOK_ADDR: hostPort.default({ host: "0.0.0.0", port: 9443 }),
  /** URL mode: the API server calls this URL (a controller outside the cluster). */
  FLEETDECK_SPOT_WEBHOOK_URL: z.url({ protocol: /^https$/, error: "expected an https:// URL" }).optional(),
  /** Service mode: `name` or `name:port` of a Service in FLEETDECK_NAMESPACE that selects the controller. */
  FLEETDECK_SPOT_WEBHOOK_SERVICE: z
    .string()
    .trim()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:\d{1,5})?$/, "expected a Service name, optionally :port")
    .optional(),
  /** Name of the MutatingWebhookConfiguration fleetdeck creates and keeps up to date. */
  FLEETDECK_SPOT_WEBHOOK_NAME: z.string().trim().regex(DNS1123).default("fleetdeck-spot"),
  FLEETDECK_SPOT_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(30).default(3),
  /**
   * Users (as a TokenReview names them) the webhook answers, comma-separated: the identity the
   * API server presents through its AdmissionConfiguration's kubeConfigFile. Unset: anyone.
   */
  FLEETDECK_SPOT_WEBHOOK_ALLOWED_USERS: z
    .string()
    .trim()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((u) => u.trim())
        .filter(Boolean),
    ),
  /** Concurrent connections the webhook's server accepts. */
  FLEETDECK_SPOT_WEBHOOK_MAX_CONNECTIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(65_535)
    .default(WEBHOOK_MAX_CONNECTIONS),
  /** Secret (in FLEETDECK_NAMESPACE) holding the webhook's CA and serving certificate. */
  FLEETDECK_SPOT_CERT_SECRET: z.string().trim().regex(DNS1123).default("fleetdeck-spot-webhook-cert"),
});

export type WebhookEndpoint =
  { mode: "url"; url: string } | { mode: "service"; namespace: string; name: string; port: number };

export interface SpotConfig {
  enabled: boolean;
  defaults: { percentage: number; minOnDemand: number };
  scheduleTimeoutMs: number;
  fallbackDurationMs: number;
  rebalanceStabilizationMs: number;
  loopIntervalMs: number;
  webhook: {
    listen: { host: string; port: number };
    endpoint: WebhookEndpoint;
    /** Host names and IPs the serving certificate must be valid for. */
    certHosts: string[];
    configurationName: string;
    timeoutSeconds: number;
    secretName: string;
    /** Users the webhook answers (empty: anyone). */
    allowedUsers: string[];
    maxConnections: number;
  };
}

export interface LoadedSpotConfig {
  config: SpotConfig;
  /** Out-of-range values replaced by defaults, to be logged. */
  warnings: string[];
}

export type SpotEnv = z.infer<typeof spotEnvSchema>;

/** Reads the spot settings from environment variables (flags already turned into them). */
export function loadSpotConfig(
  env: Record<string, string | undefined>,
  where: { namespace: string; inCluster: boolean },
): LoadedSpotConfig {
  return spotConfigFrom(parseEnvWith(spotEnvSchema, env), where);
}

/**
 * The spot settings from their validated variables. `namespace` is fleetdeck's own;
 * `inCluster` picks Service mode when neither a URL nor a Service is configured.
 */
export function spotConfigFrom(
  raw: SpotEnv,
  { namespace, inCluster }: { namespace: string; inCluster: boolean },
): LoadedSpotConfig {
  const warnings: string[] = [];
  const key = (name: string) => `DD_AUTOSCALING_CLUSTER_SPOT_${name}`;

  let percentage = raw.DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_PERCENTAGE ?? SPOT_DEFAULTS.percentage;
  if (percentage < 0 || percentage > 100) {
    warnings.push(
      `${key("DEFAULTS_PERCENTAGE")}=${percentage} is out of range [0, 100], using ${SPOT_DEFAULTS.percentage}`,
    );
    percentage = SPOT_DEFAULTS.percentage;
  }
  let minOnDemand =
    raw.DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_MIN_ON_DEMAND_REPLICAS ?? SPOT_DEFAULTS.minOnDemandReplicas;
  if (minOnDemand < 0) {
    warnings.push(
      `${key("DEFAULTS_MIN_ON_DEMAND_REPLICAS")}=${minOnDemand} is negative, using ${SPOT_DEFAULTS.minOnDemandReplicasWhenOutOfRange}`,
    );
    minOnDemand = SPOT_DEFAULTS.minOnDemandReplicasWhenOutOfRange;
  }
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (value > 0) return value;
    warnings.push(`${key(name)} is not positive, using ${fallback / 1000}s`);
    return fallback;
  };

  const listen = raw.FLEETDECK_SPOT_WEBHOOK_ADDR;
  const endpoint = webhookEndpoint(raw, namespace, inCluster, listen);
  return {
    config: {
      enabled: raw.DD_AUTOSCALING_CLUSTER_SPOT_ENABLED,
      defaults: { percentage, minOnDemand },
      scheduleTimeoutMs: positive(
        "SCHEDULE_TIMEOUT",
        raw.DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT,
        SPOT_DEFAULTS.scheduleTimeoutMs,
      ),
      fallbackDurationMs: positive(
        "FALLBACK_DURATION",
        raw.DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION,
        SPOT_DEFAULTS.fallbackDurationMs,
      ),
      rebalanceStabilizationMs: positive(
        "REBALANCE_STABILIZATION_PERIOD",
        raw.DD_AUTOSCALING_CLUSTER_SPOT_REBALANCE_STABILIZATION_PERIOD,
        SPOT_DEFAULTS.rebalanceStabilizationMs,
      ),
      loopIntervalMs: raw.FLEETDECK_SPOT_LOOP_INTERVAL,
      webhook: {
        listen,
        endpoint,
        certHosts: certHosts(endpoint),
        configurationName: raw.FLEETDECK_SPOT_WEBHOOK_NAME,
        timeoutSeconds: raw.FLEETDECK_SPOT_WEBHOOK_TIMEOUT_SECONDS,
        secretName: raw.FLEETDECK_SPOT_CERT_SECRET,
        allowedUsers: raw.FLEETDECK_SPOT_WEBHOOK_ALLOWED_USERS,
        maxConnections: raw.FLEETDECK_SPOT_WEBHOOK_MAX_CONNECTIONS,
      },
    },
    warnings,
  };
}

export const WEBHOOK_PATH = "/mutate";

function webhookEndpoint(
  raw: SpotEnv,
  namespace: string,
  inCluster: boolean,
  listen: { host: string; port: number },
): WebhookEndpoint {
  if (raw.FLEETDECK_SPOT_WEBHOOK_URL) return { mode: "url", url: raw.FLEETDECK_SPOT_WEBHOOK_URL };
  const service = raw.FLEETDECK_SPOT_WEBHOOK_SERVICE ?? (inCluster ? "fleetdeck-webhook" : undefined);
  if (service) {
    const [name = "", port] = service.split(":");
    return { mode: "service", namespace, name, port: port ? Number(port) : 443 };
  }
  // Outside the cluster the API server reaches this process on its own address; the local
  // cluster's API server runs on this host, so loopback works.
  const host = listen.host === "0.0.0.0" || listen.host === "" ? "127.0.0.1" : listen.host;
  return { mode: "url", url: `https://${host}:${listen.port}${WEBHOOK_PATH}` };
}

function certHosts(endpoint: WebhookEndpoint): string[] {
  if (endpoint.mode === "url") {
    const host = new URL(endpoint.url).hostname.replace(/^\[|\]$/g, "");
    return [...new Set([host, "localhost", "127.0.0.1"])];
  }
  const { name, namespace } = endpoint;
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}
