// Helpers of the spot scheduling tests and benchmarks: spot-enabled workloads, the split of
// their pods, the spot nodes, the spot events, and a spot-enabled controller's settings.
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  EventsV1Api,
  type EventsV1Event,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import {
  CAPACITY_TYPE_KEY,
  CAPACITY_TYPE_SPOT,
  SPOT_ASSIGNED_LABEL,
  SPOT_CONFIG_ANNOTATION,
  SPOT_ENABLED_LABEL,
  SPOT_REPORTING_CONTROLLER,
} from "../lib/spot";
import { freePort } from "../testing/processes";

/** A spot-enabled controller with loops fast enough for tests (the defaults are minutes). */
export async function spotControllerEnv(
  webhookName: string,
  overrides: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    DD_AUTOSCALING_CLUSTER_SPOT_ENABLED: "true",
    FLEETDECK_SPOT_WEBHOOK_ADDR: `127.0.0.1:${await freePort()}`,
    FLEETDECK_SPOT_WEBHOOK_NAME: webhookName,
    FLEETDECK_SPOT_LOOP_INTERVAL: "1s",
    DD_AUTOSCALING_CLUSTER_SPOT_REBALANCE_STABILIZATION_PERIOD: "2s",
    DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: "3s",
    DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION: "15s",
    ...overrides,
  };
}

export function spotDeployment(
  namespace: string,
  name: string,
  replicas: number,
  config?: { percentage?: number; minOnDemandReplicas?: number },
): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name,
      namespace,
      labels: { [SPOT_ENABLED_LABEL]: "true" },
      ...(config ? { annotations: { [SPOT_CONFIG_ANNOTATION]: JSON.stringify(config) } } : {}),
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: "app", image: "registry.example/app:1" }],
          // kwok deletes evicted pods at once; keep it explicit for any other cluster.
          terminationGracePeriodSeconds: 0,
        },
      },
    },
  };
}

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

export async function deleteWebhookConfiguration(kc: KubeConfig, name: string): Promise<void> {
  await kc
    .makeApiClient(AdmissionregistrationV1Api)
    .deleteMutatingWebhookConfiguration({ name })
    .catch(() => undefined);
}

/** Merge-patches a Deployment (scale it, change its labels or annotations; null removes). */
export async function patchDeployment(kc: KubeConfig, namespace: string, name: string, body: object) {
  await kc
    .makeApiClient(AppsV1Api)
    .patchNamespacedDeployment(
      { name, namespace, body },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
}

/** Sum of a metric's samples whose labels include `labels`, read from a controller's /metrics. */
export async function scrapeMetric(
  healthURL: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return metricValue(await (await fetch(`${healthURL}/metrics`)).text(), name, labels);
}

/** The sum of a metric's samples whose labels include `labels`, in a Prometheus text exposition. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample = Object.fromEntries(
      [...(match[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => sample[k] === v)) sum += Number(match[4]);
  }
  return sum;
}

/**
 * Waits until the API server calls the controller's webhook: dry-run pod creations in
 * `namespace` until the controller counts an admission.
 */
export async function waitForWebhookActive(
  kc: KubeConfig,
  namespace: string,
  healthURL: string,
  timeoutMs = 30_000,
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = await scrapeMetric(healthURL, "fleetdeck_spot_admissions_total");
    await core.createNamespacedPod({
      namespace,
      dryRun: "All",
      body: { metadata: { name: "webhook-probe" }, spec: { containers: [{ name: "c", image: "x" }] } },
    });
    if ((await scrapeMetric(healthURL, "fleetdeck_spot_admissions_total")) > before) return;
    if (Date.now() > deadline)
      throw new Error(`the API server did not call the webhook within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
