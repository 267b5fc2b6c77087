// The store's own settings (what the controller keeps, and for how long), validated at start-up
// with the rest of the controller's configuration.
import { z } from "zod";

export const storeEnvSchema = z.object({
  /** Audit rows older than this are deleted by the leader (hourly), leaving an `audit.pruned` row. */
  FLEETDECK_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
});

export type StoreConfig = z.infer<typeof storeEnvSchema>;
