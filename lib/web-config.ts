import { z } from "zod";
import { parseEnvWith } from "./env";

export const webEnvSchema = z.object({
  FLEETDECK_WEB_HOST: z.string().trim().min(1).default("127.0.0.1"),
  FLEETDECK_WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().trim().optional(),
});

export type WebConfig = z.infer<typeof webEnvSchema>;

export function loadWebConfig(env: Record<string, string | undefined>): WebConfig {
  return parseEnvWith(webEnvSchema, env);
}
