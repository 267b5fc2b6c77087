// Workload autoscaling (../shared/reference/autoscaling-gate.md): the lazy gate in front of the
// cluster-wide pod watch, and the status of every DatadogPodAutoscaler and cluster profile.
//
// - DD_AUTOSCALING_WORKLOAD_ENABLED off: nothing here runs (spot scheduling, if on, still runs
//   the pod store); the gate row says "off".
// - On: the DatadogPodAutoscaler and cluster profile informers run on every replica; the first
//   object either one adds (its initial list included) opens the gate. The pod store starts then,
//   unless a feature needed it from the start (spot scheduling), and "pod collection synced" is
//   marked once its cache has synced. The lazily started store is not a readiness check.
// - The leader resolves each autoscaler's target and writes its status, and the read model.
import type { ControllerContext } from "../../context";
import { withRetry } from "../../../lib/db/open";
import { DPA_API_VERSION, DPACP_PATH, DPA_PATH } from "../../../lib/autoscaling";
import { recordAudit } from "../../store/audit";
import { AutoscalingGate, openerName, type GateOpener } from "../gate";
import { podCache } from "../pod-cache";
import { Controller } from "../../kube/controller";
import {
  AutoscalerStatusReconciler,
  autoscalerKeys,
  profileKeys,
  type AutoscalerObject,
  type ProfileObject,
} from "./controller";
import type { AutoscalersConfig } from "./config";
import { gateSnapshot, GateStatusWriter } from "./gate-status";
import { registerGateMetrics } from "./metrics";
import { AutoscalerReadModel } from "./read-model";
import { TargetResolver } from "./targets";

export function setupAutoscalers(
  ctx: ControllerContext,
  { podsNeededFromStart }: { podsNeededFromStart: boolean },
): AutoscalersConfig {
  const config = ctx.config.autoscalers;
  const log = ctx.log.child({ component: "autoscaling" });
  const pods = podCache(ctx.informers);
  if (!config.podCacheTransform) {
    log.warn("FLEETDECK_POD_CACHE_TRANSFORM=false: the pod store caches whole pods (benchmarks only)");
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
    log.child({ part: "gate-status" }),
  );
  ctx.components.add({
    name: "autoscaling-gate-status",
    leaderOnly: false,
    start: () => gateWriter.start(),
    stop: () => gateWriter.stop(),
  });
  ctx.health.addDetails("autoscaling", () => {
    const state = gate.state();
    return {
      workloadEnabled: config.enabled,
      gate: {
        open: state.open,
        openedAt: state.openedAt?.toISOString() ?? null,
        openedBy: state.openedBy,
        podCollectionSynced: state.podCollectionSynced,
        podCollectionSyncedAt: state.podCollectionSyncedAt?.toISOString() ?? null,
      },
      podStore: {
        eager: podsNeededFromStart,
        started: pods.isStarted(),
        startedAt: pods.started()?.toISOString() ?? null,
        synced: pods.hasSynced(),
        podsCached: pods.size,
        estimatedBytes: pods.estimatedBytes(),
      },
    };
  });
  if (!config.enabled) {
    log.info("workload autoscaling is off (DD_AUTOSCALING_WORKLOAD_ENABLED=false)");
    return config;
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
  gate.onOpen((opener) => void reportGateOpened(ctx, opener, podsNeededFromStart));

  let collecting: AbortController | undefined;
  ctx.components.add({
    name: "autoscaling-pod-collection",
    leaderOnly: false,
    start: () => {
      collecting = new AbortController();
      void collectPods(gate, pods, podsNeededFromStart, collecting.signal).then((synced) => {
        if (synced) log.info({ pods: pods.size }, "pod collection synced");
      });
    },
    stop: () => collecting?.abort(),
  });

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
  ctx.components.add(
    new Controller({
      name: "datadogpodautoscalers",
      watches: [
        { informer: autoscalers, keys: autoscalerKeys },
        { informer: profiles, keys: profileKeys },
      ],
      reconcile: status.reconcile,
      workers: 2,
      log: log.child({ part: "status" }),
    }),
  );
  const readModel = new AutoscalerReadModel(
    ctx.db,
    ctx.cluster.clusterId,
    autoscalers,
    profiles,
    log.child({ part: "read-model" }),
  );
  ctx.components.add({
    name: "autoscaler-read-model",
    leaderOnly: true,
    start: () => readModel.start(),
    stop: () => readModel.stop(),
  });

  // The autoscaler caches, not the pod store: a lazily started store never holds readiness back.
  ctx.health.addReadinessCheck("autoscaling", () => {
    if (!autoscalers.hasSynced() || !profiles.hasSynced())
      throw new Error("waiting for the DatadogPodAutoscaler and cluster profile caches to sync");
  });
  return config;
}

/**
 * Starts the pod store when the gate opens (unless it runs from the start anyway) and marks
 * pod collection synced once its cache is. Resolves whether it got there before `signal`.
 */
async function collectPods(
  gate: AutoscalingGate,
  pods: ReturnType<typeof podCache>,
  startedEagerly: boolean,
  signal: AbortSignal,
): Promise<boolean> {
  if (!startedEagerly) {
    if (!(await gate.waitForEnable(signal))) return false;
    pods.start();
  }
  try {
    await pods.waitForSync(signal);
  } catch {
    return false;
  }
  gate.markPodCollectionSynced();
  return true;
}

/** The gate opening is a decision users look for: a log line, an Event and an audit row. */
async function reportGateOpened(ctx: ControllerContext, opener: GateOpener, podsNeededFromStart: boolean) {
  const name = openerName(opener);
  const note = podsNeededFromStart
    ? `first autoscaler seen by ${ctx.config.FLEETDECK_CONTROLLER_ID}: autoscaling gate open (the pod store already ran for spot scheduling)`
    : `first autoscaler seen by ${ctx.config.FLEETDECK_CONTROLLER_ID}: autoscaling gate open, starting the cluster-wide pod watch`;
  ctx.log.info({ component: "autoscaling", openedBy: `${opener.kind}/${name}` }, "autoscaling gate open");
  ctx.events.record({
    regarding: {
      apiVersion: DPA_API_VERSION,
      kind: opener.kind,
      name: opener.name,
      namespace: opener.namespace,
      uid: opener.uid,
    },
    type: "Normal",
    reason: "AutoscalingGateOpened",
    action: "StartPodCollection",
    note,
  });
  await withRetry(() =>
    ctx.db.$transaction((tx) =>
      recordAudit(tx, ctx.cluster.clusterId, {
        actor: "controller",
        action: "autoscaling.gate-opened",
        targetKind: opener.kind,
        target: name,
        details: { controllerId: ctx.config.FLEETDECK_CONTROLLER_ID, podStoreEager: podsNeededFromStart },
      }),
    ),
  ).catch((error: Error) =>
    ctx.log.warn({ component: "autoscaling", err: error.message }, "audit row not written"),
  );
}
