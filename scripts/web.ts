// npm run web — serves the production dashboard (run `npm run build` first) on
// FLEETDECK_WEB_HOST:FLEETDECK_WEB_PORT (127.0.0.1:3000 by default). Refuses to listen beyond
// loopback unless authentication is configured.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { authMode, loadWebConfig } from "../lib/web-config";

let config;
try {
  config = loadWebConfig(process.env);
  // Bound beyond loopback without a login or a trusted proxy: refuse to start.
  authMode(config);
} catch (error) {
  console.error(`fleetdeck-web: ${(error as Error).message}`);
  process.exit(2);
}
if (!fs.existsSync(path.resolve(".next/BUILD_ID"))) {
  console.error("fleetdeck-web: no production build found: run npm run build");
  process.exit(2);
}

const child = spawn(
  path.resolve("node_modules/.bin/next"),
  ["start", "--hostname", config.FLEETDECK_WEB_HOST, "--port", String(config.FLEETDECK_WEB_PORT)],
  { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
