// The controller process: wiring only. config → http (health first, so /readyz can say what
// start-up waits for) → kube client → store (its cluster registered) → features → leader
// election.
import { describeStore, storeLocation } from "../lib/db/url";
import { FLEETDECK_VERSION } from "../lib/version";
import { watchDoorbell } from "../lib/db/doorbell";
import { ConfigError } from "../lib/env";
import { loadControllerConfig, type ControllerConfig } from "./config";
import { createContext } from "./context";
import { CommandConsumer } from "./commands/consumer";
import { pingHandler } from "./commands/ping";
import { CommandStore } from "./commands/store";
import { heapAfterGcRoute } from "./http/heap";
import { metricsRoute } from "./http/metrics";
import { HealthServer } from "./http/server";
import { controllerUserAgent, KubeClient } from "./kube/client";
import { DelegatedAuth } from "./kube/delegated-auth";
import { waitForClusterIdentity } from "./kube/cluster";
import { KubeConfigError, loadKubeConfig } from "./kube/kubeconfig";
import { LeaderElector } from "./kube/leader-election";
import { collectProcessMetrics } from "./kube/metrics";
import { createRootLogger, type Logger } from "./log";
import { setupSpot } from "./autoscaling/spot/setup";
import { setupAutoscalers } from "./autoscaling/autoscalers/setup";
import { setupMetadata } from "./metadata/setup";
import { AuditRetention } from "./store/audit";
import { pruneChanges } from "./store/changes";
import { ClusterNameConflictError, joinFleet } from "./store/clusters";
import { connectStore, firstLine } from "./store/connect";
import { HeartbeatWriter } from "./store/heartbeat";
import { DatabaseNotReadyError } from "./store/migrations";
import { setupAgents } from "./agents/setup";
import { setupAccess } from "./access/setup";

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
  const health = new HealthServer(log.child({ component: "http" }));
  let waitingFor: string | undefined = "waiting for the Kubernetes API";
  health.addReadinessCheck("startup", () => {
    if (waitingFor) throw new Error(waitingFor);
  });
  const address = await health.listen(config.FLEETDECK_HEALTH_ADDR.host, config.FLEETDECK_HEALTH_ADDR.port);
  log.info({ component: "http", ...address }, "serving /healthz /readyz /metrics");

  const cluster = await waitForClusterIdentity(
    client,
    config.FLEETDECK_CLUSTER_NAME,
    config.FLEETDECK_STARTUP_TIMEOUT_SECONDS * 1000,
    (error) => log.warn({ component: "main", err: error.message }, "waiting for the Kubernetes API"),
  );
  log.info({ component: "main", ...cluster }, "connected to cluster");

  const store = storeLocation({ DATABASE_URL: config.DATABASE_URL });
  waitingFor = `connecting to the database (${describeStore(store)})`;
  const db = await connectStore({
    url: config.DATABASE_URL,
    busyTimeoutMs: config.FLEETDECK_DB_BUSY_TIMEOUT_MS,
    describe: describeStore(store),
    log,
    onWaiting: (reason) => (waitingFor = reason ?? "registering the cluster"),
  });
  await joinFleet(db, cluster, log, config.FLEETDECK_CLUSTER_LABELS);
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
  collectProcessMetrics();

  let elector: LeaderElector | undefined;
  const ctx = createContext({
    config,
    client,
    db,
    log,
    cluster,
    health,
    isLeader: () => (elector ? elector.isLeader() : ctx.components.isLeading()),
  });
  const { components, informers, commands, events } = ctx;
  commands.register("ping", pingHandler(config.FLEETDECK_CONTROLLER_ID));

  // Features register their controllers, components and command handlers on ctx here.
  setupAgents(ctx);
  const spot = setupSpot(ctx);
  setupAutoscalers(ctx, { podsNeededFromStart: spot.enabled });
  setupMetadata(ctx);
  const authorize = setupAccess(ctx);

  // Shared informers start before anything that reads them; the command consumer starts last,
  // so a command is applied only when every feature's caches are being filled.
  components.add({
    name: "informers",
    leaderOnly: false,
    start: () => informers.startAll(),
    stop: () => informers.stopAll(),
  });
  const consumer = new CommandConsumer(
    new CommandStore(ctx.db, cluster.clusterId, config.FLEETDECK_CONTROLLER_ID),
    commands,
    log.child({ component: "commands" }),
    {
      authorize,
      // Woken by the doorbell every command insert rings, instead of polling the table.
      changes: (onChange) => watchDoorbell(store, cluster.clusterId, onChange),
    },
  );
  components.add({
    name: "command-consumer",
    leaderOnly: true,
    start: () => consumer.start(),
    stop: () => consumer.stop(),
  });

  const auditRetention = new AuditRetention(
    ctx.db,
    {
      clusterId: cluster.clusterId,
      retentionDays: config.store.FLEETDECK_AUDIT_RETENTION_DAYS,
      actor: config.FLEETDECK_CONTROLLER_ID,
    },
    log.child({ component: "audit" }),
  );
  components.add({
    name: "audit-retention",
    leaderOnly: true,
    start: () => auditRetention.start(),
    stop: () => auditRetention.stop(),
  });

  const changeFeedPruner = setInterval(() => void pruneChanges(db).catch(() => undefined), 10 * 60_000);
  changeFeedPruner.unref();

  const heartbeat = new HeartbeatWriter(
    ctx.db,
    config.FLEETDECK_CONTROLLER_ID,
    cluster,
    ctx.isLeader,
    log.child({ component: "heartbeat" }),
  );
  heartbeat.start(config.FLEETDECK_HEARTBEAT_SECONDS);

  await components.startShared();
  if (config.FLEETDECK_LEADER_ELECT) {
    elector = new LeaderElector(
      client,
      {
        namespace: config.FLEETDECK_NAMESPACE,
        name: "fleetdeck-controller",
        identity: config.FLEETDECK_CONTROLLER_ID,
        onStartedLeading: () => components.startedLeading().then(() => heartbeat.beat()),
        onStoppedLeading: () => components.stoppedLeading().then(() => heartbeat.beat()),
        onNewLeader: (identity) =>
          log.info({ component: "leader-election", leader: identity }, "leader observed"),
      },
      log.child({ component: "leader-election" }),
    );
    elector.start();
  } else {
    await components.startedLeading();
  }

  health.addReadinessCheck("database", async () => {
    await db.$queryRawUnsafe("SELECT 1").catch((error: unknown) => {
      throw new Error(`database unreachable (${describeStore(store)}): ${firstLine(error)}`);
    });
  });
  health.addDetails("leader", () => ({
    leading: ctx.isLeader(),
    leader: elector?.currentLeader() ?? config.FLEETDECK_CONTROLLER_ID,
  }));
  health.addDetails("cluster", () => ({ id: cluster.clusterId, name: cluster.name }));
  health.addRoute(
    "/metrics",
    metricsRoute(config.FLEETDECK_METRICS_AUTH ? new DelegatedAuth(client) : undefined),
  );
  if (typeof globalThis.gc === "function") health.addRoute("/debug/heap", heapAfterGcRoute(globalThis.gc));
  waitingFor = undefined;

  onShutdown(log, config, async () => {
    const step = (name: string) => log.debug({ component: "main", step: name }, "shutdown step");
    // Leader work stops and the lease is released first, so a standby takes over at once.
    step("leader election");
    if (elector) await elector.stop();
    step("components");
    await components.stopAll();
    clearInterval(changeFeedPruner);
    step("events");
    await events.stop();
    step("heartbeat");
    await heartbeat.stop();
    step("http");
    await health.close();
    step("database");
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
    error instanceof ClusterNameConflictError;
  console.error(`fleetdeck-controller: ${known ? error.message : (error.stack ?? error.message)}`);
  process.exit(known ? 2 : 1);
});
