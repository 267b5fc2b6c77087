// npm run dev — the dashboard with hot reload (next dev) against the database the demo and the
// controller use (DATABASE_URL, .fleetdeck/fleetdeck.db by default), on FLEETDECK_WEB_HOST
// (127.0.0.1). It listens on 3001 unless FLEETDECK_WEB_PORT says otherwise, so that it runs
// beside `npm run demo`'s production dashboard on 3000. Its configuration is validated as
// `npm run web` validates it; next dev builds into .next/dev and leaves the production build alone.
import { spawn } from "node:child_process";
import path from "node:path";
import { describeStore, storeLocation, type StoreLocation } from "../lib/db/url";
import { authMode, loadWebConfig } from "../lib/web-config";

const DEV_PORT = "3001";

let config;
let store: StoreLocation;
try {
  config = loadWebConfig({ FLEETDECK_WEB_PORT: DEV_PORT, ...process.env });
  // Bound beyond loopback without a login or a trusted proxy: refuse to start.
  authMode(config);
  store = storeLocation();
} catch (error) {
  console.error(`fleetdeck-dev: ${(error as Error).message}`);
  process.exit(2);
}

const host = config.FLEETDECK_WEB_HOST;
const port = String(config.FLEETDECK_WEB_PORT);
console.log(`fleetdeck-dev: http://${host}:${port} (hot reload), database ${describeStore(store)}`);
const child = spawn(path.resolve("node_modules/.bin/next"), ["dev", "--hostname", host, "--port", port], {
  stdio: "inherit",
  // The request gate checks the Host header against the port it is told, so tell it this one.
  env: {
    ...process.env,
    FLEETDECK_WEB_HOST: host,
    FLEETDECK_WEB_PORT: port,
    DATABASE_URL: store.provider === "sqlite" ? `file:${store.file}` : store.url,
    NEXT_TELEMETRY_DISABLED: "1",
  },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
