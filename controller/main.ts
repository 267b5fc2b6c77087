// The controller process: wiring only. config → kube client → manager (serving health first,
// so /readyz can say what start-up waits for) → store (its cluster registered) → every
// feature's setup on the manager (./features.ts) → start; on SIGTERM the manager stops.
import { describeStore, storeLocation } from "../lib/db/url";
import { FLEETDECK_VERSION } from "../lib/version";
import { ConfigError } from "../lib/env";
import { loadControllerConfig, type ControllerConfig } from "./config";
import { createContext, createManager } from "./context";
import { setupFeatures } from "./features";
import { controllerUserAgent, KubeClient } from "./kube/client";
import { waitForClusterIdentity } from "./kube/cluster";
import { KubeConfigError, loadKubeConfig } from "./kube/kubeconfig";
import { createRootLogger, type Logger } from "./log";
import { ClusterRegistrationError, joinFleet } from "./store/clusters";
import { connectStore } from "./store/connect";
import { DatabaseNotReadyError } from "./store/migrations";

async function main(): Promise<void> {
  const config = loadControllerConfig();
  const log = createRootLogger(config.LOG_LEVEL);
  const { kc, source } = await loadKubeConfig({
    explicit: config.KUBECONFIG,
    inCluster: config.inClusterAccess,
    fallbacks: config.kubeconfigFallbacks,
  });
  const client = new KubeClient(kc, controllerUserAgent(config.FLEETDECK_CONTROLLER_ID, FLEETDECK_VERSION));
  log.info({ component: "main", kubeconfig: source, server: client.server }, "starting");

  // Until start-up is done, /readyz answers 503 with what it waits for.
  const manager = createManager(config, client, log);
  manager.starting("waiting for the Kubernetes API");
  const address = await manager.serve(config.FLEETDECK_HEALTH_ADDR.host, config.FLEETDECK_HEALTH_ADDR.port);
  log.info({ component: "http", ...address }, "serving /healthz /readyz /metrics");

  const cluster = await waitForClusterIdentity(
    client,
    config.FLEETDECK_CLUSTER_NAME,
    config.FLEETDECK_STARTUP_TIMEOUT_SECONDS * 1000,
    (error) => log.warn({ component: "main", err: error.message }, "waiting for the Kubernetes API"),
  );
  log.info({ component: "main", ...cluster }, "connected to cluster");

  const store = storeLocation({ DATABASE_URL: config.DATABASE_URL });
  manager.starting(`connecting to the database (${describeStore(store)})`);
  const db = await connectStore({
    url: config.DATABASE_URL,
    busyTimeoutMs: config.FLEETDECK_DB_BUSY_TIMEOUT_MS,
    describe: describeStore(store),
    log,
    onWaiting: (reason) => manager.starting(reason ?? "registering the cluster"),
  });
  // A cluster's own database login keeps the name the fleet's owner gave it.
  cluster.name = await joinFleet(db, cluster, log, config.FLEETDECK_CLUSTER_LABELS);
  log.info(
    {
      component: "store",
      provider: store.provider,
      store: describeStore(store),
      cluster: cluster.name,
      labels: config.FLEETDECK_CLUSTER_LABELS,
    },
    "store ready",
  );

  setupFeatures(createContext({ config, manager, db, cluster }));
  await manager.start();

  onShutdown(log, config, async () => {
    await manager.stop();
    await db.$disconnect();
    client.close();
  });
}

function onShutdown(log: Logger, config: ControllerConfig, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ component: "main", signal, controllerId: config.FLEETDECK_CONTROLLER_ID }, "shutting down");
    // A shutdown that hangs must not keep the process alive forever.
    setTimeout(() => process.exit(1), 15_000).unref();
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
    error instanceof DatabaseNotReadyError ||
    error instanceof ClusterRegistrationError;
  console.error(`fleetdeck-controller: ${known ? error.message : (error.stack ?? error.message)}`);
  process.exit(known ? 2 : 1);
});
