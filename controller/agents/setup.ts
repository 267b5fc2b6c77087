// The agents feature: the DatadogAgent reconciler (leader only) on the shared DatadogAgent
// informer, and the experiment and restore command handlers. main.ts calls setupAgents(ctx).
import type { ControllerContext } from "../context";
import { objectKey, type KubeObject } from "../kube/informer";
import { KubeJsonClient } from "../kube/json-client";
import { WorkQueue } from "../kube/workqueue";
import { AgentApi, DDA_PATH, type DatadogAgent } from "./api";
import { loadAgentsConfig } from "./config";
import { agentHandlers } from "./commands";
import { AgentReconciler } from "./controller";
import { CONTROLLER_REVISIONS_PATH, MANAGED_BY_SELECTOR, Revisions, withoutData } from "./revisions";
import { AgentReadModel } from "./read-model";

export function setupAgents(
  ctx: ControllerContext,
  env: Record<string, string | undefined> = process.env,
): void {
  const config = loadAgentsConfig(env);
  const log = ctx.log.child({ component: "agents" });
  const informer = ctx.informers.informer<KubeObject>({ name: "datadogagents", path: DDA_PATH });
  const revisionCache = ctx.informers.informer<KubeObject>({
    name: "fleetdeck-controllerrevisions",
    path: CONTROLLER_REVISIONS_PATH,
    labelSelector: MANAGED_BY_SELECTOR,
    transform: withoutData,
  });
  const client = new KubeJsonClient(ctx.kc);
  const api = new AgentApi(client);
  const revisions = new Revisions(client, revisionCache);
  const store = new AgentReadModel(ctx.db);
  const reconciler = new AgentReconciler(
    {
      client,
      cached: (key) => informer.get(key) as DatadogAgent | undefined,
      api,
      revisions,
      store,
      events: ctx.events,
      log,
    },
    {
      defaultTimeoutSeconds: config.FLEETDECK_EXPERIMENT_TIMEOUT_SECONDS,
      resyncMs: config.FLEETDECK_AGENTS_RESYNC_SECONDS * 1000,
    },
  );

  // The queue exists only while this process leads; events before that are covered by the
  // full enqueue at start.
  let queue: WorkQueue | undefined;
  const enqueue = (obj: KubeObject) => queue?.add(objectKey(obj));
  informer.on("add", enqueue);
  informer.on("update", (_old, obj) => enqueue(obj));
  informer.on("delete", enqueue);

  let abort = new AbortController();
  ctx.components.add({
    name: "agents-reconciler",
    leaderOnly: true,
    start: () => {
      const q = new WorkQueue({ name: "datadogagents", workers: config.FLEETDECK_AGENTS_WORKERS }, log);
      queue = q;
      abort = new AbortController();
      // The reconciler reads the caches: it starts once they hold the cluster's state, or it
      // would take an agent not listed yet for a deleted one.
      void Promise.all([informer.waitForSync(abort.signal), revisionCache.waitForSync(abort.signal)])
        .then(async () => {
          q.start(reconciler.reconcile);
          for (const key of informer.keys()) q.add(key);
          // Agents deleted while no controller ran: their reconcile finds them gone and says so.
          const rows = await ctx.db.agent.findMany({ where: { deletedAt: null }, select: { key: true } });
          for (const { key } of rows) if (!informer.get(key)) q.add(key);
        })
        .catch((error: Error) => log.warn({ err: error.message }, "agents reconciler not started"));
    },
    stop: async () => {
      const q = queue;
      queue = undefined;
      abort.abort();
      await q?.shutdown();
      client.close();
    },
  });

  const handlers = agentHandlers({
    api,
    revisions,
    store,
    events: ctx.events,
    defaultTimeoutSeconds: config.FLEETDECK_EXPERIMENT_TIMEOUT_SECONDS,
  });
  ctx.commands
    .register("start-experiment", handlers.startExperiment)
    .register("stop-experiment", handlers.stopExperiment)
    .register("promote-experiment", handlers.promoteExperiment)
    .register("restore-revision", handlers.restoreRevision);
}
