// Metadata forwarding's configuration: environment variables (each also a flag, e.g.
// --metadata-workers=5), validated with zod at start-up with the rest of the controller's.
import { z } from "zod";
import { parseEnvWith } from "../../lib/env";

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A comma-separated list, blanks dropped. */
const commaList = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );

export const metadataEnvSchema = z.object({
  /** Without it forwarding is off (and the dashboard says so). Never logged, stored or shown. */
  DD_API_KEY: z.string().trim().min(1).optional(),
  /** Datadog site: the intake is https://app.<site>/api/v1/metadata. */
  DD_SITE: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]+$/, "expected a site such as datadoghq.com or datadoghq.eu")
    .default("datadoghq.com"),
  /** Replaces the intake's scheme and host (the path stays /api/v1/metadata), e.g. a fake intake. */
  DD_URL: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^/\s]+/.test(v), "expected an http(s) URL such as http://127.0.0.1:8090")
    .optional(),
  FLEETDECK_METADATA_CRD_HEARTBEAT_SECONDS: positiveInt(1, 86_400).default(600),
  FLEETDECK_METADATA_HELM_HEARTBEAT_SECONDS: positiveInt(1, 86_400).default(300),
  /** Workers per forwarder (upstream: 3). */
  FLEETDECK_METADATA_WORKERS: positiveInt(1, 32).default(3),
  /** Send-log retention: rows older than this are deleted... */
  FLEETDECK_METADATA_SEND_LOG_MAX_AGE_HOURS: positiveInt(1, 24 * 365).default(72),
  /** ...and only the newest this many rows are kept. */
  FLEETDECK_METADATA_SEND_LOG_MAX_ROWS: positiveInt(100, 10_000_000).default(50_000),
  /** A payload larger than this is sent but not kept in its send-log row (the row says so). */
  FLEETDECK_METADATA_SEND_LOG_MAX_PAYLOAD_BYTES: positiveInt(1024, 64 * 1024 * 1024).default(256 * 1024),
  /** The payloads kept in the send log add up to at most this; the oldest are dropped first. */
  FLEETDECK_METADATA_SEND_LOG_MAX_TOTAL_BYTES: positiveInt(1024 * 1024, 64 * 1024 * 1024 * 1024).default(
    64 * 1024 * 1024,
  ),
  /**
   * A Helm release that decompresses to more than this is skipped, the gunzip stopped there (a
   * gzip bomb costs at most this much memory). The datadog chart's releases are ~100 KB.
   */
  FLEETDECK_METADATA_HELM_MAX_RELEASE_BYTES: positiveInt(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /** Namespaces whose Helm releases are forwarded (comma-separated); unset: every namespace. */
  FLEETDECK_METADATA_HELM_NAMESPACES: commaList("").pipe(
    z.array(
      z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected namespace names separated by commas"),
    ),
  ),
  /** Charts whose releases are forwarded (upstream's allowlist). */
  FLEETDECK_METADATA_HELM_CHARTS: commaList("datadog,datadog-operator,datadog-agent"),
});

export type MetadataEnv = z.infer<typeof metadataEnvSchema>;

export interface MetadataConfig {
  /** undefined: forwarding is off. */
  apiKey: string | undefined;
  /** Full URL of the intake endpoint. */
  intakeUrl: string;
  crdHeartbeatMs: number;
  helmHeartbeatMs: number;
  workers: number;
  sendLog: { maxAgeMs: number; maxRows: number; maxPayloadBytes: number; maxTotalBytes: number };
  /** namespaces: empty for every namespace. */
  helm: { maxReleaseBytes: number; charts: string[]; namespaces: string[] };
}

export const INTAKE_PATH = "/api/v1/metadata";

/** The intake endpoint: DD_URL's scheme and host when set, else https://app.<DD_SITE>. */
export function intakeUrl(env: Pick<MetadataEnv, "DD_SITE" | "DD_URL">): string {
  const origin = env.DD_URL ? new URL(env.DD_URL).origin : `https://app.${env.DD_SITE}`;
  return `${origin}${INTAKE_PATH}`;
}

export function loadMetadataConfig(env: Record<string, string | undefined>): MetadataConfig {
  return metadataConfigFrom(parseEnvWith(metadataEnvSchema, env));
}

export function metadataConfigFrom(parsed: MetadataEnv): MetadataConfig {
  return {
    apiKey: parsed.DD_API_KEY,
    intakeUrl: intakeUrl(parsed),
    crdHeartbeatMs: parsed.FLEETDECK_METADATA_CRD_HEARTBEAT_SECONDS * 1000,
    helmHeartbeatMs: parsed.FLEETDECK_METADATA_HELM_HEARTBEAT_SECONDS * 1000,
    workers: parsed.FLEETDECK_METADATA_WORKERS,
    sendLog: {
      maxAgeMs: parsed.FLEETDECK_METADATA_SEND_LOG_MAX_AGE_HOURS * 3_600_000,
      maxRows: parsed.FLEETDECK_METADATA_SEND_LOG_MAX_ROWS,
      maxPayloadBytes: parsed.FLEETDECK_METADATA_SEND_LOG_MAX_PAYLOAD_BYTES,
      maxTotalBytes: parsed.FLEETDECK_METADATA_SEND_LOG_MAX_TOTAL_BYTES,
    },
    helm: {
      maxReleaseBytes: parsed.FLEETDECK_METADATA_HELM_MAX_RELEASE_BYTES,
      charts: parsed.FLEETDECK_METADATA_HELM_CHARTS,
      namespaces: [...new Set(parsed.FLEETDECK_METADATA_HELM_NAMESPACES)],
    },
  };
}
