import "server-only";
import { loadWebConfig, type WebConfig } from "@/server/web-config";

let cached: WebConfig | undefined;

/** The dashboard's configuration, validated once per process (npm run web validated it already). */
export function webConfig(): WebConfig {
  cached ??= loadWebConfig(process.env);
  return cached;
}
