// The spot side of a cluster, for the demo, tests and benchmarks: the split of a workload's pods
// between spot and on-demand, cordoning the spot nodes, and the spot scheduler's events.
import {
  CoreV1Api,
  EventsV1Api,
  type EventsV1Event,
  type KubeConfig,
  type V1Pod,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import {
  CAPACITY_TYPE_KEY,
  CAPACITY_TYPE_SPOT,
  SPOT_ASSIGNED_LABEL,
  SPOT_REPORTING_CONTROLLER,
} from "../lib/spot";

export interface PodSplit {
  spot: number;
  onDemand: number;
  pending: number;
  running: number;
  /** Pods running on a spot node (nodeName kwok-spot-*) or with the spot nodeSelector. */
  pinnedToSpot: number;
  pods: V1Pod[];
}

/** The live pods (not terminating, not finished) of a workload whose pods carry app=<name>. */
export async function podSplit(kc: KubeConfig, namespace: string, app: string): Promise<PodSplit> {
  const list = await kc
    .makeApiClient(CoreV1Api)
    .listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  const pods = list.items.filter(
    (p) => !p.metadata?.deletionTimestamp && ["Pending", "Running"].includes(p.status?.phase ?? ""),
  );
  const spot = pods.filter((p) => p.metadata?.labels?.[SPOT_ASSIGNED_LABEL] === "true");
  return {
    spot: spot.length,
    onDemand: pods.length - spot.length,
    pending: pods.filter((p) => p.status?.phase === "Pending").length,
    running: pods.filter((p) => p.status?.phase === "Running").length,
    pinnedToSpot: pods.filter((p) => p.spec?.nodeSelector?.[CAPACITY_TYPE_KEY] === CAPACITY_TYPE_SPOT).length,
    pods,
  };
}

export const SPOT_NODES = ["kwok-spot-0", "kwok-spot-1", "kwok-spot-2"];

/** Cordons (false) or uncordons (true) the spot nodes, as `kubectl cordon` does. */
export async function setSpotNodesSchedulable(kc: KubeConfig, schedulable: boolean): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await Promise.all(
    SPOT_NODES.map((name) =>
      core.patchNode(
        { name, body: { spec: { unschedulable: !schedulable } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    ),
  );
}

/** The spot scheduler's events in a namespace, oldest first. */
export async function spotEvents(kc: KubeConfig, namespace: string): Promise<EventsV1Event[]> {
  const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
  return list.items
    .filter((e) => e.reportingController === SPOT_REPORTING_CONTROLLER)
    .sort((a, b) => eventTime(a) - eventTime(b));
}

export function eventTime(e: EventsV1Event): number {
  return new Date(e.eventTime as unknown as string).getTime();
}
