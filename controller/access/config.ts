// Per-user authorization settings: whether the controller asks the API server before applying a
// command, and how often it refreshes the answers the dashboard shows on its buttons.
import { z } from "zod";
import { duration } from "../../lib/env";

export const accessEnvSchema = z.object({
  /**
   * "kubernetes": before applying a command, a SubjectAccessReview asks whether its actor (the
   * proxy's user and groups, the API token's ServiceAccount) may do what the command implies.
   * "none": every signed-in actor has the controller's power (the default).
   */
  FLEETDECK_AUTHZ: z.enum(["none", "kubernetes"]).default("none"),
  /** How often the stored answers are refreshed besides every RBAC change (Go duration). */
  FLEETDECK_AUTHZ_REFRESH: duration.pipe(z.number().min(1000, "must be at least 1s")).default(60_000),
});

export type AccessConfig = z.infer<typeof accessEnvSchema>;
