// The agents feature: the DatadogAgent reconciler (leader only) on the shared DatadogAgent
// informer, and the experiment and restore command handlers. main.ts calls setupAgents(ctx).
import type { ControllerContext } from "../context";
import { objectKey, type KubeObject } from "../kube/informer";
import { WorkQueue } from "../kube/workqueue";
import { AgentApi, DDA_PATH } from "./api";
import { loadAgentsConfig } from "./config";
import { agentHandlers } from "./handlers";
import { AgentReconciler } from "./reconciler";
import { Revisions } from "./revisions";
import { AgentStore } from "./store";

export function setupAgents(
  ctx: ControllerContext,
  env: Record<string, string | undefined> = process.env,
): void {
  const config = loadAgentsConfig(env);
  const log = ctx.log.child({ component: "agents" });
  const informer = ctx.informers.informer<KubeObject>({ name: "datadogagents", path: DDA_PATH });
  const api = new AgentApi(ctx.kc);
  const revisions = new Revisions(ctx.kc);
  const store = new AgentStore(ctx.db);
  const reconciler = new AgentReconciler(
    { kc: ctx.kc, api, revisions, store, events: ctx.events, log },
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
      q.start(reconciler.reconcile);
      for (const key of informer.keys()) q.add(key);
      // Agents deleted while no controller ran: their reconcile finds them gone and says so.
      void informer
        .waitForSync(abort.signal)
        .then(async () => {
          const rows = await ctx.db.agent.findMany({ where: { deletedAt: null }, select: { key: true } });
          for (const { key } of rows) if (!informer.get(key)) q.add(key);
        })
        .catch((error: Error) => log.warn({ err: error.message }, "could not look for deleted agents"));
    },
    stop: async () => {
      const q = queue;
      queue = undefined;
      abort.abort();
      await q?.shutdown();
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
