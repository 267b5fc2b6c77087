// The agents feature's settings (environment variables), validated at start-up like the rest
// of the controller's configuration: a bad value stops the controller naming the variable.
import { z } from "zod";
import {
  DEFAULT_EXPERIMENT_TIMEOUT_SECONDS,
  DEFAULT_HEALTH_GATE,
  type HealthGateSettings,
} from "../../lib/agents";
import { bool } from "../../lib/env";
import { GRACE_SECONDS, THRESHOLD_PERCENT } from "../../lib/commands";
import { DATADOG_REGISTRIES } from "./config-policy";
import { DATADOG_SITES, hostOf } from "./endpoint-policy";

/** A comma-separated list, or "*" for anything. */
const listOrAny = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((v): string[] | "any" =>
      v === "*"
        ? "any"
        : v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
    );

export const agentsEnvSchema = z.object({
  /** Reconciles of different DatadogAgents run in parallel on this many workers. */
  FLEETDECK_AGENTS_WORKERS: z.coerce.number().int().min(1).max(64).default(8),
  /** Timeout of an experiment started without one (upstream: 30 minutes). */
  FLEETDECK_EXPERIMENT_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(DEFAULT_EXPERIMENT_TIMEOUT_SECONDS),
  /** Every agent is reconciled at least this often (a workload whose render hash is off, or which is gone, applied). */
  FLEETDECK_AGENTS_RESYNC_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(24 * 3600)
    .default(300),
  /** The health gate of an experiment started without settings of its own (docs/health.md). */
  FLEETDECK_HEALTH_GATE_ENABLED: bool.default(DEFAULT_HEALTH_GATE.enabled),
  FLEETDECK_HEALTH_GATE_THRESHOLD_PERCENT: z.coerce
    .number()
    .int()
    .min(THRESHOLD_PERCENT.min)
    .max(THRESHOLD_PERCENT.max)
    .default(DEFAULT_HEALTH_GATE.thresholdPercent),
  FLEETDECK_HEALTH_GATE_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(GRACE_SECONDS.min)
    .max(GRACE_SECONDS.max)
    .default(DEFAULT_HEALTH_GATE.graceSeconds),
  /** Registries the images an experiment or a restore brings in may come from ("*": any). */
  FLEETDECK_ALLOWED_IMAGE_REGISTRIES: listOrAny(DATADOG_REGISTRIES.join(",")),
  /** Secrets an experiment or a restore may reference besides those the agent already does ("*": any). */
  FLEETDECK_ALLOWED_SECRET_REFERENCES: listOrAny(""),
  /**
   * Hosts (with their subdomains) an experiment or a restore may point the agents' data at — site,
   * intake and proxy URLs — besides those the agent already uses ("*": any).
   */
  FLEETDECK_ALLOWED_ENDPOINTS: listOrAny(DATADOG_SITES.join(",")).superRefine((list, ctx) => {
    const bad = list === "any" ? [] : list.filter((entry) => hostOf(entry) === undefined);
    if (bad.length > 0) ctx.addIssue({ code: "custom", message: `not a host or URL: ${bad.join(", ")}` });
  }),
});

export type AgentsConfig = z.infer<typeof agentsEnvSchema>;

export function defaultHealthGate(config: AgentsConfig): HealthGateSettings {
  return {
    enabled: config.FLEETDECK_HEALTH_GATE_ENABLED,
    thresholdPercent: config.FLEETDECK_HEALTH_GATE_THRESHOLD_PERCENT,
    graceSeconds: config.FLEETDECK_HEALTH_GATE_GRACE_SECONDS,
  };
}
