// npm run dev — the dashboard with hot reload (Next's development mode, through the dashboard's
// own server) against the database the demo and the controller use (DATABASE_URL,
// .fleetdeck/fleetdeck.db by default, or a PostgreSQL URL), on FLEETDECK_WEB_HOST (127.0.0.1).
// It listens on 3001 unless FLEETDECK_WEB_PORT says otherwise, so that it runs beside
// `npm run demo`'s production dashboard on 3000. Next's development mode builds into .next/dev
// and leaves the production build alone.
import { describeStore, storeLocation } from "../lib/db/url";
import { ConfigError } from "../lib/env";
import { assertServable, loadWebConfig } from "../server/web-config";

const DEV_PORT = "3001";

async function main() {
  const config = loadWebConfig({ FLEETDECK_WEB_PORT: DEV_PORT, ...process.env });
  assertServable(config, config.FLEETDECK_WEB_HOST);
  const store = storeLocation();
  // The request gate checks the Host header against the port it is told, so tell it this one.
  Object.assign(process.env, {
    FLEETDECK_WEB_HOST: config.FLEETDECK_WEB_HOST,
    FLEETDECK_WEB_PORT: String(config.FLEETDECK_WEB_PORT),
    DATABASE_URL: store.provider === "sqlite" ? `file:${store.file}` : store.url,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "development",
  });
  // Imported now: Next and React read NODE_ENV once, when they load.
  const { startDashboardServer } = await import("../server/web-server");
  const dashboard = await startDashboardServer(config, { dev: true, dir: process.cwd() });
  console.log(
    `fleetdeck-dev: http://${config.FLEETDECK_WEB_HOST}:${dashboard.port} (hot reload), database ${describeStore(store)}`,
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void dashboard.close().then(() => process.exit(0)));
  }
}

main().catch((error: Error) => {
  console.error(
    `fleetdeck-dev: ${error instanceof ConfigError ? error.message : (error.stack ?? error.message)}`,
  );
  process.exit(error instanceof ConfigError ? 2 : 1);
});
