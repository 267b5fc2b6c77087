// The agents feature's settings (environment variables), validated at start-up like the rest
// of the controller's configuration: a bad value stops the controller naming the variable.
import { z } from "zod";
import { DEFAULT_EXPERIMENT_TIMEOUT_SECONDS } from "../../lib/agents";
import { DATADOG_REGISTRIES } from "./config-policy";

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
  /** Every agent is reconciled (and its workloads re-applied) at least this often. */
  FLEETDECK_AGENTS_RESYNC_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(24 * 3600)
    .default(300),
  /** Registries the images an experiment or a restore brings in may come from ("*": any). */
  FLEETDECK_ALLOWED_IMAGE_REGISTRIES: listOrAny(DATADOG_REGISTRIES.join(",")),
  /** Secrets an experiment or a restore may reference besides those the agent already does ("*": any). */
  FLEETDECK_ALLOWED_SECRET_REFERENCES: listOrAny(""),
});

export type AgentsConfig = z.infer<typeof agentsEnvSchema>;
