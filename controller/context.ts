// What a feature gets to wire itself into the controller: each feature module exports a
// `setup…(ctx)` that registers its informers, components, command handlers, readiness checks
// and routes here, so main.ts stays a list of features.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Database } from "../lib/db/open";
import type { CommandRegistry } from "./commands/registry";
import type { ControllerConfig } from "./config";
import type { HealthServer } from "./http/server";
import type { ClusterIdentity } from "./kube/client";
import type { ComponentManager } from "./kube/components";
import type { EventRecorder } from "./kube/events";
import type { InformerFactory } from "./kube/informer-factory";
import type { Logger } from "./log";

export interface ControllerContext {
  config: ControllerConfig;
  kc: KubeConfig;
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
