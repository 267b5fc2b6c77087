// The fleet driver: the hub-side process that runs fleet experiments (docs/fleet-experiments.md).
// Wiring only: config → health endpoint → store → a Runner (controller/kube/runner.ts) whose
// elector is the store's lease → while leading, its periodic runnables: the fleet experiments'
// steps and the webhook notifications. Run two replicas: one leads through the store's lease,
// the other stands by and takes over within the lease's duration; state lives in the store.
import { HealthServer } from "../controller/http/server";
import { metricsRoute } from "../controller/http/metrics";
import { Runner } from "../controller/kube/runner";
import { describeStore, storeLocation } from "../lib/db/url";
import { ConfigError } from "../lib/env";
import { connectStore } from "../controller/store/connect";
import { DatabaseNotReadyError } from "../controller/store/migrations";
import { loadDriverConfig } from "./config";
import { FleetDriver } from "./driver";
import { storeElector } from "./lease";
import { createRootLogger } from "./log";
import { Notifier } from "./notify";
import { FleetStore } from "./store";

/** The lease row's name: one driver leads the whole fleet. */
const LEASE_NAME = "fleet-driver";

async function main(): Promise<void> {
  const config = loadDriverConfig();
  const log = createRootLogger(config.LOG_LEVEL, undefined, "fleetdeck-fleet-driver");
  const location = storeLocation({ DATABASE_URL: config.DATABASE_URL });
  const probes = new HealthServer(log.child({ component: "http" }));
  probes.addRoute("/metrics", metricsRoute());
  // The store comes first (the lease is in it): the runner, its elector and its work once it answers.
  let waitingFor = "connecting to the database";
  probes.addReadinessCheck("store", () => {
    if (waitingFor) throw new Error(waitingFor);
  });
  const { host, port } = config.FLEETDECK_DRIVER_HEALTH_ADDR;
  const address = await probes.listen(host, port);
  log.info({ component: "http", address }, "serving /healthz /readyz /metrics");

  const db = await connectStore({
    url: config.DATABASE_URL,
    describe: describeStore(location),
    log,
    onWaiting: (reason) => (waitingFor = reason ?? ""),
  });
  waitingFor = "";
  log.info({ component: "store", store: describeStore(location) }, "store ready");

  const runner = new Runner({
    log,
    probes,
    identity: config.FLEETDECK_DRIVER_ID,
    elector: storeElector(
      db,
      {
        name: LEASE_NAME,
        identity: config.FLEETDECK_DRIVER_ID,
        leaseDurationMs: config.FLEETDECK_DRIVER_LEASE_DURATION,
        renewDeadlineMs: Math.round((config.FLEETDECK_DRIVER_LEASE_DURATION * 2) / 3),
      },
      log.child({ component: "lease" }),
    ),
  });
  const driver = new FleetDriver(new FleetStore(db), log.child({ component: "driver" }));
  const notifier = new Notifier(
    db,
    { url: config.FLEETDECK_NOTIFY_WEBHOOK_URL, dashboardUrl: config.FLEETDECK_DASHBOARD_URL },
    log.child({ component: "notify" }),
  );
  if (!config.FLEETDECK_NOTIFY_WEBHOOK_URL)
    log.info("no FLEETDECK_NOTIFY_WEBHOOK_URL: notifications are not sent");
  // While leading: at once (a new leader carries on where the last one stopped), then every interval.
  const interval = config.FLEETDECK_DRIVER_INTERVAL;
  runner.every("fleet-experiments", interval, () => driver.tick(), { leaderOnly: true, initialRun: true });
  runner.every("notifications", interval, () => notifier.flush(), { leaderOnly: true, initialRun: true });
  await runner.start();

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ component: "main", signal }, "shutting down");
    // A one-off deadline, not a loop: a shutdown that hangs still ends.
    setTimeout(() => process.exit(1), 15_000).unref();
    void (async () => {
      // The runner stops leading and releases the lease first, so a standby takes over at once.
      await runner.stop();
      await db.$disconnect();
      process.exit(0);
    })();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: Error) => {
  const known = error instanceof ConfigError || error instanceof DatabaseNotReadyError;
  console.error(`fleetdeck-fleet-driver: ${known ? error.message : (error.stack ?? error.message)}`);
  process.exit(known ? 2 : 1);
});
