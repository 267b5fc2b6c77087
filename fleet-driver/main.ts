// The fleet driver: the hub-side process that runs fleet experiments (docs/fleet-experiments.md).
// Wiring only: config → health endpoint → store → lease → while leading, the fleet experiments'
// steps and the webhook notifications. Run two replicas: one leads through the store's lease,
// the other stands by and takes over within the lease's duration; state lives in the store.
import http from "node:http";
import { describeStore, storeLocation } from "../lib/db/url";
import { ConfigError } from "../lib/env";
import { connectStore, firstLine } from "../controller/store/connect";
import { DatabaseNotReadyError } from "../controller/store/migrations";
import { loadDriverConfig } from "./config";
import { FleetDriver } from "./driver";
import { LEASE_RETRY_MS, StoreLease } from "./lease";
import { createRootLogger } from "./log";
import { Notifier } from "./notify";
import { every, type Periodic } from "./periodic";
import { FleetStore } from "./store";

/** The lease row's name: one driver leads the whole fleet. */
const LEASE_NAME = "fleet-driver";

async function main(): Promise<void> {
  const config = loadDriverConfig();
  const log = createRootLogger(config.LOG_LEVEL, undefined, "fleetdeck-fleet-driver");
  let waitingFor: string | undefined = "connecting to the database";
  // Set once the store answers; the health endpoint reports from start-up on.
  const elected: { lease?: StoreLease } = {};
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (path === "/healthz") return send(200, { status: "ok" });
    if (path === "/readyz") {
      const details = {
        leading: elected.lease?.isLeader() ?? false,
        leader: elected.lease?.currentLeader() ?? "",
      };
      return waitingFor ? send(503, { status: waitingFor, details }) : send(200, { status: "ok", details });
    }
    send(404, { error: "not found" });
  });
  const { host, port } = config.FLEETDECK_DRIVER_HEALTH_ADDR;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  log.info({ component: "http", address: server.address() }, "serving /healthz /readyz");

  const location = storeLocation({ DATABASE_URL: config.DATABASE_URL });
  const db = await connectStore({
    url: config.DATABASE_URL,
    describe: describeStore(location),
    log,
    onWaiting: (reason) => (waitingFor = reason),
  });
  waitingFor = undefined;
  log.info({ component: "store", store: describeStore(location) }, "store ready");

  const driver = new FleetDriver(new FleetStore(db), log.child({ component: "driver" }));
  const notifier = new Notifier(
    db,
    { url: config.FLEETDECK_NOTIFY_WEBHOOK_URL, dashboardUrl: config.FLEETDECK_DASHBOARD_URL },
    log.child({ component: "notify" }),
  );
  if (!config.FLEETDECK_NOTIFY_WEBHOOK_URL)
    log.info("no FLEETDECK_NOTIFY_WEBHOOK_URL: notifications are not sent");
  let work: Periodic[] = [];
  const interval = config.FLEETDECK_DRIVER_INTERVAL;
  const lease = new StoreLease(db, {
    name: LEASE_NAME,
    identity: config.FLEETDECK_DRIVER_ID,
    leaseDurationMs: config.FLEETDECK_DRIVER_LEASE_DURATION,
    renewDeadlineMs: Math.round((config.FLEETDECK_DRIVER_LEASE_DURATION * 2) / 3),
    onStartedLeading: () => {
      log.info({ component: "lease", identity: config.FLEETDECK_DRIVER_ID }, "started leading");
      work = [
        every("fleet-experiments", interval, () => driver.tick(), log),
        every("notifications", interval, () => notifier.flush(), log),
      ];
    },
    onStoppedLeading: async () => {
      log.info({ component: "lease" }, "stopped leading");
      const stopping = work;
      work = [];
      await Promise.all(stopping.map((w) => w.stop()));
    },
    onNewLeader: (holder) => log.info({ component: "lease", leader: holder }, "leader observed"),
  });
  elected.lease = lease;
  const electing = every(
    "lease",
    LEASE_RETRY_MS,
    () =>
      lease.try().catch((error: unknown) => {
        log.warn({ component: "lease", err: firstLine(error) }, "lease round failed");
      }),
    log,
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ component: "main", signal }, "shutting down");
    setTimeout(() => process.exit(1), 15_000).unref();
    void (async () => {
      await electing.stop();
      // Work stops and the lease is released first, so a standby takes over at its next try.
      await lease.release();
      await Promise.all(work.map((w) => w.stop()));
      server.close();
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
