// What a feature gets to wire itself into the controller: each feature folder's setup.ts
// exports a `setup…(ctx)` that registers its controllers, runnables, periodic runnables,
// command handlers, readiness checks and routes on ctx.manager (./features.ts lists them), so
// main.ts and the in-process tests wire the same way.
import type { Database } from "../lib/db/open";
import { CommandRegistry } from "./commands/registry";
import type { ControllerConfig } from "./config";
import { heapAfterGcRoute } from "./http/heap";
import { metricsRoute } from "./http/metrics";
import { HealthServer } from "./http/server";
import type { KubeClient } from "./kube/client";
import { DelegatedAuth } from "./kube/delegated-auth";
import type { ClusterIdentity } from "./kube/cluster";
import type { EventRecorder } from "./kube/events";
import type { InformerFactory } from "./kube/informer-factory";
import { Manager } from "./kube/manager";
import type { Logger } from "./log";
import { scopeToCluster } from "./store/cluster-scope";

export interface ControllerContext {
  config: ControllerConfig;
  manager: Manager;
  /** The one Kubernetes client every call goes through (the manager's). */
  client: KubeClient;
  /** The store, limited to this cluster's rows (./store/cluster-scope.ts). */
  db: Database;
  log: Logger;
  cluster: ClusterIdentity;
  /** The manager's shared informers. */
  informers: InformerFactory;
  commands: CommandRegistry;
  /** The manager's Events, reported as `fleetdeck.dev/controller`. */
  events: EventRecorder;
  /** Whether this process currently leads. */
  isLeader: () => boolean;
}

export const REPORTING_CONTROLLER = "fleetdeck.dev/controller";

/**
 * The manager as the configuration asks for it (leader election, its timings, the sync
 * timeout), serving /metrics (and /debug/heap under --expose-gc) besides health and readiness.
 */
export function createManager(config: ControllerConfig, client: KubeClient, log: Logger): Manager {
  const probes = new HealthServer(log.child({ component: "http" }));
  probes.addRoute(
    "/metrics",
    metricsRoute(config.FLEETDECK_METRICS_AUTH ? new DelegatedAuth(client) : undefined),
  );
  if (typeof globalThis.gc === "function") probes.addRoute("/debug/heap", heapAfterGcRoute(globalThis.gc));
  return new Manager({
    client,
    log,
    probes,
    identity: config.FLEETDECK_CONTROLLER_ID,
    reportingController: REPORTING_CONTROLLER,
    leaderElection: config.FLEETDECK_LEADER_ELECT
      ? {
          namespace: config.FLEETDECK_NAMESPACE,
          name: "fleetdeck-controller",
          leaseDurationMs: config.FLEETDECK_LEASE_DURATION_SECONDS * 1000,
          renewDeadlineMs: config.FLEETDECK_RENEW_DEADLINE_SECONDS * 1000,
          retryPeriodMs: config.FLEETDECK_RETRY_PERIOD_SECONDS * 1000,
        }
      : undefined,
    cacheSyncTimeoutMs: config.FLEETDECK_CACHE_SYNC_TIMEOUT_SECONDS * 1000,
  });
}

/** The context of a manager, its store (scoped to `cluster`) and its cluster. */
export function createContext(base: {
  config: ControllerConfig;
  manager: Manager;
  db: Database;
  cluster: ClusterIdentity;
}): ControllerContext {
  const { manager } = base;
  return {
    ...base,
    db: scopeToCluster(base.db, base.cluster.clusterId),
    client: manager.client,
    log: manager.log,
    informers: manager.informers,
    commands: new CommandRegistry(),
    events: manager.events,
    isLeader: () => manager.isLeader(),
  };
}
