// What a feature gets to wire itself into the controller: each feature folder's setup.ts
// exports a `setup…(ctx)` that registers its controllers, components, command handlers,
// readiness checks and routes here, so main.ts stays a list of features.
import type { Database } from "../lib/db/open";
import { CommandRegistry } from "./commands/registry";
import type { ControllerConfig } from "./config";
import { HealthServer } from "./http/server";
import type { KubeClient } from "./kube/client";
import type { ClusterIdentity } from "./kube/cluster";
import { ComponentManager } from "./kube/components";
import { EventRecorder } from "./kube/events";
import { InformerFactory } from "./kube/informer-factory";
import type { Logger } from "./log";
import { scopeToCluster } from "./store/cluster-scope";

export interface ControllerContext {
  config: ControllerConfig;
  /** The one Kubernetes client every call goes through. */
  client: KubeClient;
  /** The store, limited to this cluster's rows (./store/cluster-scope.ts). */
  db: Database;
  log: Logger;
  cluster: ClusterIdentity;
  /** Shared informers, started with the other shared components. */
  informers: InformerFactory;
  components: ComponentManager;
  commands: CommandRegistry;
  /** Events reported as `fleetdeck.dev/controller`. */
  events: EventRecorder;
  health: HealthServer;
  /** Whether this process currently leads. */
  isLeader: () => boolean;
}

export const REPORTING_CONTROLLER = "fleetdeck.dev/controller";

/** The context's parts built from the essentials; main.ts and the in-process tests share it. */
export function createContext(base: {
  config: ControllerConfig;
  client: KubeClient;
  db: Database;
  log: Logger;
  cluster: ClusterIdentity;
  isLeader?: () => boolean;
  health?: HealthServer;
}): ControllerContext {
  const components = new ComponentManager(base.log.child({ component: "components" }));
  return {
    ...base,
    db: scopeToCluster(base.db, base.cluster.clusterId),
    informers: new InformerFactory(base.client, base.log.child({ component: "informers" })),
    components,
    commands: new CommandRegistry(),
    events: new EventRecorder(
      base.client,
      { reportingController: REPORTING_CONTROLLER, reportingInstance: base.config.FLEETDECK_CONTROLLER_ID },
      base.log.child({ component: "events" }),
    ),
    health: base.health ?? new HealthServer(base.log.child({ component: "http" })),
    isLeader: base.isLeader ?? (() => components.isLeading()),
  };
}
