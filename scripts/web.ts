// npm run web — serves the production dashboard (run `npm run build` first) on
// FLEETDECK_WEB_HOST:FLEETDECK_WEB_PORT (127.0.0.1:3000 by default), through the dashboard's own
// server (server/web-server.ts). Refuses to listen beyond loopback unless authentication is
// configured: before listening, by the configured host, and after, by the socket's address.
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../lib/env";
import { assertServable, loadWebConfig, proxyWarnings } from "../server/web-config";

// Before Next and React load (they read it once): the production build, no telemetry.
Object.assign(process.env, { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" });

async function main() {
  const config = loadWebConfig(process.env);
  assertServable(config, config.FLEETDECK_WEB_HOST);
  for (const warning of proxyWarnings(config)) console.warn(`fleetdeck-web: warning: ${warning}`);
  if (!fs.existsSync(path.resolve(".next/BUILD_ID"))) {
    throw new ConfigError("no production build found: run npm run build");
  }
  const { startDashboardServer } = await import("../server/web-server");
  const dashboard = await startDashboardServer(config, { dev: false, dir: process.cwd() });
  console.log(`fleetdeck-web: listening on http://${config.FLEETDECK_WEB_HOST}:${dashboard.port}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void dashboard.close().then(() => process.exit(0)));
  }
}

main().catch((error: Error) => {
  console.error(
    `fleetdeck-web: ${error instanceof ConfigError ? error.message : (error.stack ?? error.message)}`,
  );
  process.exit(error instanceof ConfigError ? 2 : 1);
});
