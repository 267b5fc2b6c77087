// Spot scheduling (docs/spot.md): wires the webhook, its certificate and registration, the pod
// tracker, the leader's fallback and rebalance loops, the read model and the dashboard's
// commands into the controller.
//
// Every replica serves the webhook, so every replica runs the caches and the tracker the
// webhook reads; the leader alone registers the webhook, evicts, patches workloads and writes
// the read model.
import type { ControllerContext } from "../../context";
import { DelegatedAuth } from "../../kube/delegated-auth";
import { podCache } from "../pod-cache";
import { SpotActions } from "./actions";
import { CertManager } from "./certs";
import { SpotEvents } from "./events";
import { PodEvictor } from "./evictor";
import { Fallback } from "./fallback";
import { disableSpotHandler, enableSpotHandler } from "./commands";
import { SpotLoops } from "./loops";
import { spotMetrics } from "./metrics";
import { Rebalancer } from "./rebalancer";
import { buildWorkloadRows, SpotReadModel } from "./read-model";
import { SpotTracker } from "./tracker";
import { WebhookServer } from "./webhook";
import { WebhookConfigKeeper } from "./webhook-config";
import { WebhookServing } from "./webhook-serving";
import { WorkloadConfigCache } from "./workload-config";
import { WorkloadPatcher } from "./workload-patcher";

/** Sets spot scheduling up when DD_AUTOSCALING_CLUSTER_SPOT_ENABLED is true. */
export function setupSpot(ctx: ControllerContext): void {
  const log = ctx.log.child({ component: "spot" });
  const namespace = ctx.config.FLEETDECK_NAMESPACE;
  const config = ctx.config.spot;
  for (const warning of ctx.config.spotWarnings) log.warn(warning);
  if (!config.enabled) {
    log.info("spot scheduling is off (DD_AUTOSCALING_CLUSTER_SPOT_ENABLED=false)");
    return;
  }
  log.info(
    {
      defaults: config.defaults,
      scheduleTimeoutMs: config.scheduleTimeoutMs,
      fallbackDurationMs: config.fallbackDurationMs,
      rebalanceStabilizationMs: config.rebalanceStabilizationMs,
      loopIntervalMs: config.loopIntervalMs,
      endpoint: config.webhook.endpoint,
      webhookClients: config.webhook.allowedUsers.length > 0 ? config.webhook.allowedUsers : "anyone",
    },
    "spot scheduling is on",
  );

  const { manager } = ctx;
  const pods = podCache(ctx.informers);
  const workloads = new WorkloadConfigCache(ctx.informers, config.defaults);
  const tracker = new SpotTracker(pods, {
    onSpotPodScheduled: (seconds) => {
      if (ctx.isLeader()) spotMetrics.pendingSeconds.observe(seconds);
    },
  });
  const readModel = new SpotReadModel(ctx.db, ctx.cluster.clusterId, () =>
    buildWorkloadRows(
      tracker.snapshot((w) => workloads.isSpotWorkload(w)),
      workloads.list(),
      (ref) => workloads.wasOptedOut(ref),
      Date.now(),
    ),
  );
  const events = new SpotEvents(
    ctx.client,
    ctx.config.FLEETDECK_CONTROLLER_ID,
    log.child({ part: "events" }),
    (e) => readModel.appendEvent(e),
  );
  const patcher = new WorkloadPatcher(ctx.client);
  const actions = new SpotActions(
    new PodEvictor(ctx.client),
    patcher,
    events,
    ctx.db,
    ctx.cluster.clusterId,
    ctx.config.FLEETDECK_CONTROLLER_ID,
    log.child({ part: "evictions" }),
  );
  const loops = new SpotLoops(
    tracker,
    new Fallback(tracker, workloads, actions, config, log.child({ part: "fallback" })),
    new Rebalancer(tracker, workloads, actions, config, log.child({ part: "rebalancer" })),
    // Workloads a previous leader showed but that are no longer opted in opted out while no
    // leader watched: their spot pods still move back to on-demand.
    async () => workloads.seedOptedOut(await readModel.storedKeys()),
    () => events.flush(),
  );

  const certs = new CertManager(
    ctx.client,
    { namespace, secretName: config.webhook.secretName, hosts: config.webhook.certHosts },
    log.child({ part: "certificate" }),
  );
  const { allowedUsers, maxConnections } = config.webhook;
  const registration = new WebhookConfigKeeper(
    ctx.client,
    ctx.informers,
    {
      name: config.webhook.configurationName,
      endpoint: config.webhook.endpoint,
      timeoutSeconds: config.webhook.timeoutSeconds,
      excludedNamespaces: ["kube-system", namespace],
    },
    () => certs.certificate()?.caPem,
    log.child({ part: "webhook-configuration" }),
  );
  const webhook = new WebhookServing({
    server: new WebhookServer({ workloads, tracker }, log.child({ part: "webhook" }), {
      maxConnections,
      clients:
        allowedUsers.length > 0 ? { auth: new DelegatedAuth(ctx.client), users: allowedUsers } : undefined,
    }),
    certs,
    registration,
    workloads,
    pods,
    tracker,
    listen: config.webhook.listen,
    log: log.child({ part: "webhook" }),
  });

  ctx.commands.register("enable-spot", enableSpotHandler(patcher, workloads));
  ctx.commands.register("disable-spot", disableSpotHandler(patcher));

  manager.add(webhook);
  manager.every(
    "spot-webhook-certificate",
    () => certs.nextCheckMs(),
    () => certs.check(),
    {
      initialRun: true,
    },
  );
  manager.add(registration.controller);
  manager.every("spot-loops", config.loopIntervalMs, loops.tick, { leaderOnly: true, finalRun: true });
  manager.every("spot-read-model", 500, readModel.sync, {
    leaderOnly: true,
    initialRun: true,
    finalRun: true,
  });

  manager.addReadyzCheck("spot-webhook", () => webhook.check());
  manager.waitForCaches("spot-caches", () => webhook.caches());
  manager.addDetails("spot", () => ({
    webhookPort: webhook.port() ?? null,
    endpoint: config.webhook.endpoint,
    certificateExpires: certs.certificate()?.notAfter.toISOString() ?? null,
    trackerReady: tracker.ready(),
    podsCached: pods.size,
    workloads: workloads.list().length,
  }));
}
