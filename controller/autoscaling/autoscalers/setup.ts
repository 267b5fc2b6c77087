// Workload autoscaling (docs/autoscaling.md): the lazy gate in front of the cluster-wide pod
// watch, and the status of every DatadogPodAutoscaler and cluster profile.
//
// - DD_AUTOSCALING_WORKLOAD_ENABLED off: nothing here runs (spot scheduling, if on, still runs
//   the pod cache); the gate row says "off".
// - On: the DatadogPodAutoscaler and cluster profile informers run on every replica; the first
//   object either one adds (its initial list included) opens the gate. The pod cache starts then,
//   unless a feature needed it from the start (spot scheduling), and "pod collection synced" is
//   marked once its cache has synced. The lazily started cache is not a readiness check.
// - The leader resolves each autoscaler's target and writes its status, and the read model.
import type { ControllerContext } from "../../context";
import { DPACP_PATH, DPA_PATH } from "../../../lib/autoscaling";
import { AutoscalingGate, PodCollection, reportGateOpened } from "../gate";
import { podCache } from "../pod-cache";
import { Controller } from "../../kube/controller";
import { AutoscalerStatusReconciler, type AutoscalerObject, type ProfileObject } from "./controller";
import { gateDetails, gateSnapshot, GateStatusWriter } from "./gate-status";
import { autoscalerKeys, profileKeys, statusKeys } from "./keys";
import { registerGateMetrics } from "./metrics";
import { AutoscalerReadModel } from "./read-model";
import { TargetResolver } from "./targets";

export function setupAutoscalers(ctx: ControllerContext): void {
  const { manager } = ctx;
  const config = ctx.config.autoscalers;
  // Spot scheduling's webhook needs the pod cache from the start.
  const podsNeededFromStart = ctx.config.spot.enabled;
  const log = ctx.log.child({ component: "autoscaling" });
  const pods = podCache(ctx.informers);
  if (!config.podCacheTransform) {
    log.warn("FLEETDECK_POD_CACHE_TRANSFORM=false: the pod cache caches whole pods (benchmarks only)");
    pods.keepWholePods();
  }
  const gate = new AutoscalingGate();
  const settings = { workloadEnabled: config.enabled, podStoreEager: podsNeededFromStart };
  registerGateMetrics(gate, pods);
  const gateWriter = new GateStatusWriter(
    ctx.db,
    ctx.cluster.clusterId,
    ctx.config.FLEETDECK_CONTROLLER_ID,
    () => gateSnapshot(gate, pods, settings),
  );
  manager.every("autoscaling-gate-status", 1000, gateWriter.sync, { initialRun: true, finalRun: true });
  manager.addDetails("autoscaling", () => gateDetails(gate, pods, settings));
  if (!config.enabled) {
    log.info("workload autoscaling is off (DD_AUTOSCALING_WORKLOAD_ENABLED=false)");
    return;
  }
  log.info(
    { podStoreEager: podsNeededFromStart },
    "workload autoscaling is on; pod collection waits for the first autoscaler",
  );

  const autoscalers = ctx.informers.informer<AutoscalerObject>({
    name: "datadogpodautoscalers",
    path: DPA_PATH,
  });
  const profiles = ctx.informers.informer<ProfileObject>({
    name: "datadogpodautoscalerclusterprofiles",
    path: DPACP_PATH,
  });
  autoscalers.on("add", (dpa) =>
    gate.enable({
      kind: "DatadogPodAutoscaler",
      namespace: dpa.metadata.namespace,
      name: dpa.metadata.name,
      uid: dpa.metadata.uid,
    }),
  );
  profiles.on("add", (p) =>
    gate.enable({ kind: "DatadogPodAutoscalerClusterProfile", name: p.metadata.name, uid: p.metadata.uid }),
  );
  const report = {
    events: ctx.events,
    db: ctx.db,
    clusterId: ctx.cluster.clusterId,
    controllerId: ctx.config.FLEETDECK_CONTROLLER_ID,
    podsNeededFromStart,
    log,
  };
  gate.onOpen((opener) => void reportGateOpened(report, opener));
  manager.add(new PodCollection(gate, pods, podsNeededFromStart, log));

  const status = new AutoscalerStatusReconciler(
    ctx.client,
    autoscalers,
    profiles,
    new TargetResolver(ctx.client),
    ctx.events,
    ctx.db,
    ctx.cluster.clusterId,
    config.resyncMs,
    log.child({ part: "status" }),
  );
  manager.add(
    new Controller({
      name: "datadogpodautoscalers",
      keyCodec: statusKeys,
      watches: [
        { informer: autoscalers, keys: autoscalerKeys },
        { informer: profiles, keys: profileKeys },
      ],
      reconcile: status.reconcile,
      workers: 2,
      log: log.child({ part: "status" }),
    }),
  );
  const readModel = new AutoscalerReadModel(ctx.db, ctx.cluster.clusterId, autoscalers, profiles);
  manager.every("autoscaler-read-model", 500, readModel.sync, {
    leaderOnly: true,
    initialRun: true,
    finalRun: true,
  });

  // The autoscaler caches, not the pod cache: a lazily started cache never holds readiness back.
  manager.waitForCaches("autoscaling", () => [autoscalers, profiles]);
}
