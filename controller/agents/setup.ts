// The agents feature: the DatadogAgent controller (leader only) on the shared DatadogAgent
// informer, reading fleetdeck's ControllerRevisions from their own cache, and the experiment
// and restore command handlers.
import type { ControllerContext } from "../context";
import { Controller } from "../kube/controller";
import type { KubeObject } from "../kube/informer";
import { AgentApi, DDA_PATH, type DatadogAgent } from "./api";
import { agentHandlers } from "./commands";
import { AgentReconciler } from "./controller";
import { AgentReadModel } from "./read-model";
import { CONTROLLER_REVISIONS_PATH, MANAGED_BY_SELECTOR, Revisions, withoutData } from "./revisions";

export function setupAgents(ctx: ControllerContext): void {
  const config = ctx.config.agents;
  const log = ctx.log.child({ component: "agents" });
  const agents = ctx.informers.informer<DatadogAgent>({ name: "datadogagents", path: DDA_PATH });
  const revisionCache = ctx.informers.informer<KubeObject>({
    name: "fleetdeck-controllerrevisions",
    path: CONTROLLER_REVISIONS_PATH,
    labelSelector: MANAGED_BY_SELECTOR,
    transform: withoutData,
  });
  const api = new AgentApi(ctx.client);
  const revisions = new Revisions(ctx.client, revisionCache);
  const readModel = new AgentReadModel(ctx.db, ctx.cluster.clusterId);
  const deps = { api, revisions, readModel, events: ctx.events };
  const reconciler = new AgentReconciler(
    { ...deps, client: ctx.client, cached: (key) => agents.get(key), log },
    {
      defaultTimeoutSeconds: config.FLEETDECK_EXPERIMENT_TIMEOUT_SECONDS,
      resyncMs: config.FLEETDECK_AGENTS_RESYNC_SECONDS * 1000,
    },
  );

  ctx.components.add(
    new Controller({
      name: "datadogagents",
      watches: [{ informer: agents }],
      caches: [revisionCache],
      reconcile: reconciler.reconcile,
      // Agents deleted while no controller ran: their reconcile finds them gone and says so.
      initialKeys: async () =>
        (
          await ctx.db.agent.findMany({
            where: { clusterId: ctx.cluster.clusterId, deletedAt: null },
            select: { key: true },
          })
        ).map((r) => r.key),
      workers: config.FLEETDECK_AGENTS_WORKERS,
      log,
    }),
  );

  const handlers = agentHandlers({
    ...deps,
    defaultTimeoutSeconds: config.FLEETDECK_EXPERIMENT_TIMEOUT_SECONDS,
    policy: {
      registries: config.FLEETDECK_ALLOWED_IMAGE_REGISTRIES,
      secrets: config.FLEETDECK_ALLOWED_SECRET_REFERENCES,
    },
  });
  ctx.commands
    .register("start-experiment", handlers.startExperiment)
    .register("stop-experiment", handlers.stopExperiment)
    .register("promote-experiment", handlers.promoteExperiment)
    .register("restore-revision", handlers.restoreRevision);
}
