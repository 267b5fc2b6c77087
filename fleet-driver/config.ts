// The fleet driver's configuration: environment variables (and the same as flags is not needed:
// it runs from a Deployment or the demo), validated with zod once at start with a message that
// names every bad variable.
import os from "node:os";
import { z } from "zod";
import { duration, hostPort, parseEnvWith } from "../lib/env";

const url = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return ["http:", "https:"].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `${name} must be an http(s) URL`);

export const driverEnvSchema = z.object({
  DATABASE_URL: z.string().trim().optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  /** Unique name of this replica: the lease holder's identity. */
  FLEETDECK_DRIVER_ID: z.string().trim().min(1).max(128).default(`${os.hostname()}-${process.pid}`),
  /** How often the leader looks at every fleet experiment in progress (Go duration). */
  FLEETDECK_DRIVER_INTERVAL: duration
    .pipe(z.number().min(100, "must be at least 100ms").max(60_000))
    .default(1_000),
  /** The lease: taken over when not renewed for this long (Go duration; client-go's 15 s). */
  FLEETDECK_DRIVER_LEASE_DURATION: duration.pipe(z.number().min(3_000).max(300_000)).default(15_000),
  /** /healthz and /readyz (ready: the database answers; the details say whether it leads). */
  FLEETDECK_DRIVER_HEALTH_ADDR: hostPort.default({ host: "127.0.0.1", port: 8091 }),
  /** Slack-compatible incoming webhook for notifications; a secret (its token is in the URL). */
  FLEETDECK_NOTIFY_WEBHOOK_URL: url("FLEETDECK_NOTIFY_WEBHOOK_URL").optional(),
  /** The dashboard's address, for links in notifications. */
  FLEETDECK_DASHBOARD_URL: url("FLEETDECK_DASHBOARD_URL").optional(),
});

export type DriverConfig = z.infer<typeof driverEnvSchema>;

export function loadDriverConfig(env: Record<string, string | undefined> = process.env): DriverConfig {
  return parseEnvWith(
    driverEnvSchema,
    Object.fromEntries(Object.keys(driverEnvSchema.shape).map((k) => [k, env[k]])),
  );
}
