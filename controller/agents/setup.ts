// The agents feature: the DatadogAgent controller (leader only) on the shared DatadogAgent
// informer, reading fleetdeck's ControllerRevisions from their own cache, and the experiment
// and restore command handlers.
import type { AgentStatus } from "../../lib/agents";
import type { CandidateHealth } from "../../lib/rollout";
import type { ControllerContext } from "../context";
import { Controller } from "../kube/controller";
import type { KubeObject } from "../kube/informer";
import { withoutLastApplied } from "../metadata/payloads";
import { AgentApi, DDA_PATH, type DatadogAgent } from "./api";
import { agentHandlers } from "./commands";
import { defaultHealthGate } from "./config";
import { AgentReconciler } from "./controller";
import { AgentReadModel } from "./read-model";
import { CONTROLLER_REVISIONS_PATH, MANAGED_BY_SELECTOR, Revisions, withoutData } from "./revisions";
import { RolloutCache } from "./rollout-cache";
import { RolloutReconciler, RolloutWriter } from "./rollout-controller";
import { SignalAnnotations } from "./signal-annotations";

export function setupAgents(ctx: ControllerContext): void {
  const config = ctx.config.agents;
  const log = ctx.log.child({ component: "agents" });
  // Shared with the metadata forwarder: the same name, path and transform.
  const agents = ctx.informers.informer<DatadogAgent>({
    name: "datadogagents",
    path: DDA_PATH,
    transform: withoutLastApplied,
  });
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
  const gate = defaultHealthGate(config);
  const rolloutCache = new RolloutCache(ctx.informers, agents);
  // Decisions on experiments, whoever asks (commands, signal annotations): the same defaults,
  // the same health verdict, the same config policy.
  const decisions = {
    defaultTimeoutSeconds: config.FLEETDECK_EXPERIMENT_TIMEOUT_SECONDS,
    defaultHealthGate: gate,
    candidateHealth: (target: string): CandidateHealth | null => {
      const agent = agents.get(target);
      return agent ? rollouts.rollout(agent).candidate : null;
    },
    policy: {
      registries: config.FLEETDECK_ALLOWED_IMAGE_REGISTRIES,
      secrets: config.FLEETDECK_ALLOWED_SECRET_REFERENCES,
      endpoints: config.FLEETDECK_ALLOWED_ENDPOINTS,
    },
  };
  const reconciler = new AgentReconciler(
    {
      ...deps,
      client: ctx.client,
      cached: (key) => agents.get(key),
      log,
      signals: new SignalAnnotations({ ...deps, ...decisions, log }),
      revisionPods: (agent, hash) => rolloutCache.revisionPods(agent, hash),
      liveWorkloads: (agent) => rolloutCache.workloads(agent),
    },
    {
      defaultTimeoutSeconds: config.FLEETDECK_EXPERIMENT_TIMEOUT_SECONDS,
      resyncMs: config.FLEETDECK_AGENTS_RESYNC_SECONDS * 1000,
      defaultHealthGate: gate,
    },
  );
  /** The agent of a workload or pod, by its agent-uid label. */
  const ownerKeys = (obj: KubeObject) => {
    const key = rolloutCache.agentKeyOf(obj);
    return key ? [key] : [];
  };

  // What the read model keeps of its own writes holds while this process leads (only the leader
  // writes agent rows); a standby that leads again reads the store afresh.
  ctx.manager.add({
    name: "agents-read-model-memory",
    leaderOnly: true,
    start: () => readModel.forgetWritten(),
    stop: () => readModel.forgetWritten(),
  });
  const agentsController = new Controller({
    name: "datadogagents",
    watches: [
      { informer: agents },
      // A running experiment's health gate judges its candidate's pods as they change.
      {
        informer: rolloutCache.pods,
        keys: (pod) =>
          ownerKeys(pod).filter((key) => agents.get(key)?.status?.experiment?.phase === "running"),
      },
    ],
    // The workloads' caches too: their render hashes say what need not be applied again.
    caches: [revisionCache, rolloutCache.daemonSets, rolloutCache.deployments],
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
  });
  ctx.manager.add(agentsController);

  const rolloutWriter = new RolloutWriter(readModel);
  const rollouts = new RolloutReconciler({
    cached: (key) => agents.get(key),
    state: (key): AgentStatus | undefined => reconciler.state(key),
    cache: rolloutCache,
    writer: rolloutWriter,
    defaultHealthGate: gate,
  });
  const rolloutController = new Controller({
    name: "agent-rollouts",
    watches: [
      { informer: agents },
      { informer: rolloutCache.daemonSets, keys: ownerKeys },
      { informer: rolloutCache.deployments, keys: ownerKeys },
      // Pod events only for a running experiment's candidate detail; otherwise the workloads'
      // status counts wake it, and an unsettled rollout refreshes itself (rollout-controller.ts).
      {
        informer: rolloutCache.pods,
        keys: (pod) =>
          ownerKeys(pod).filter((key) => agents.get(key)?.status?.experiment?.phase === "running"),
      },
    ],
    // The pods are still read (pod detail): their cache must be synced.
    caches: [rolloutCache.nodes, rolloutCache.pods],
    reconcile: rollouts.reconcile,
    // Rows of agents deleted while no controller ran are removed.
    initialKeys: async () =>
      (
        await ctx.db.agentRollout.findMany({
          where: { clusterId: ctx.cluster.clusterId },
          select: { agentKey: true },
        })
      ).map((r) => r.agentKey),
    workers: 2,
    log,
  });
  rolloutCache.onNodesChanged(() => {
    for (const key of agents.keys()) rolloutController.enqueue(key);
  });
  ctx.manager.add(rolloutController);
  ctx.manager.every("agent-rollout-writer", 500, () => rolloutWriter.flush(), {
    leaderOnly: true,
    finalRun: true,
  });

  const handlers = agentHandlers({
    ...deps,
    ...decisions,
    reconcileSoon: (key) => agentsController.enqueue(key),
  });
  ctx.commands
    .register("start-experiment", handlers.startExperiment)
    .register("stop-experiment", handlers.stopExperiment)
    .register("promote-experiment", handlers.promoteExperiment)
    .register("restore-revision", handlers.restoreRevision);
}
