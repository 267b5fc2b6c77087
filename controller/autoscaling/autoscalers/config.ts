// Workload autoscaling settings: upstream's `autoscaling.workload.enabled` as
// DD_AUTOSCALING_WORKLOAD_ENABLED (or --autoscaling.workload.enabled), and fleetdeck's own
// FLEETDECK_AUTOSCALER_* settings. A bad value stops the controller with a message naming it.
import { z } from "zod";
import { bool, duration, parseEnvWith } from "../../../lib/env";

export const autoscalersEnvSchema = z.object({
  DD_AUTOSCALING_WORKLOAD_ENABLED: bool.default(false),
  /** How often every autoscaler's target is re-read (targets are not watched). */
  FLEETDECK_AUTOSCALER_RESYNC: duration.pipe(z.number().min(100, "must be at least 100ms")).default(10_000),
  /**
   * false caches whole pods instead of the slim ones (the pod cache's transform off): only for
   * the gate-memory benchmark, which measures what the transform saves.
   */
  FLEETDECK_POD_CACHE_TRANSFORM: bool.default(true),
});

export interface AutoscalersConfig {
  enabled: boolean;
  resyncMs: number;
  podCacheTransform: boolean;
}

export function loadAutoscalersConfig(env: Record<string, string | undefined>): AutoscalersConfig {
  return autoscalersConfigFrom(parseEnvWith(autoscalersEnvSchema, env));
}

export function autoscalersConfigFrom(raw: z.infer<typeof autoscalersEnvSchema>): AutoscalersConfig {
  return {
    enabled: raw.DD_AUTOSCALING_WORKLOAD_ENABLED,
    resyncMs: raw.FLEETDECK_AUTOSCALER_RESYNC,
    podCacheTransform: raw.FLEETDECK_POD_CACHE_TRANSFORM,
  };
}
