// The controller process: wiring only. config → kube client → database → components → http.
import { databaseFile } from "../lib/db/url";
import { openDatabase } from "../lib/db/open";
import { ConfigError, loadControllerConfig, type ControllerConfig } from "./config";
import { KubeConfigError, loadKubeConfig, waitForClusterIdentity } from "./kube/client";
import { HealthServer } from "./http/server";
import { createRootLogger, type Logger } from "./log";
import { assertMigrated, DatabaseNotReadyError } from "./store/migrations";
import { HeartbeatWriter } from "./store/heartbeat";

async function main(): Promise<void> {
  const config = loadControllerConfig();
  const log = createRootLogger(config.LOG_LEVEL);
  const { kc, source } = loadKubeConfig(config.KUBECONFIG);
  log.info({ component: "main", kubeconfig: source, server: kc.getCurrentCluster()?.server }, "starting");

  const cluster = await waitForClusterIdentity(kc, config.FLEETDECK_STARTUP_TIMEOUT_SECONDS * 1000, (error) =>
    log.warn({ component: "main", err: error.message }, "waiting for the Kubernetes API"),
  );
  log.info({ component: "main", ...cluster }, "connected to cluster");

  const db = await openDatabase({ file: databaseFile({ DATABASE_URL: config.DATABASE_URL }) });
  await assertMigrated(db);

  const heartbeat = new HeartbeatWriter(
    db,
    config.FLEETDECK_CONTROLLER_ID,
    cluster,
    () => false,
    log.child({ component: "heartbeat" }),
  );
  heartbeat.start(config.FLEETDECK_HEARTBEAT_SECONDS);

  const health = new HealthServer(log.child({ component: "http" }));
  health.addReadinessCheck("database", async () => {
    await db.$queryRawUnsafe("SELECT 1");
  });
  const address = await health.listen(config.FLEETDECK_HEALTH_ADDR.host, config.FLEETDECK_HEALTH_ADDR.port);
  log.info({ component: "http", ...address }, "serving /healthz /readyz");

  onShutdown(log, config, async () => {
    await heartbeat.stop();
    await health.close();
    await db.$disconnect();
  });
}

function onShutdown(log: Logger, config: ControllerConfig, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ component: "main", signal, controllerId: config.FLEETDECK_CONTROLLER_ID }, "shutting down");
    // A shutdown that hangs must not keep the process alive forever.
    setTimeout(() => process.exit(1), 10_000).unref();
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        log.error({ component: "main", err: error.message }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

main().catch((error: Error) => {
  const known =
    error instanceof ConfigError ||
    error instanceof KubeConfigError ||
    error instanceof DatabaseNotReadyError;
  console.error(`fleetdeck-controller: ${known ? error.message : (error.stack ?? error.message)}`);
  process.exit(known ? 2 : 1);
});
