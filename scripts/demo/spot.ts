// The demo's spot scenario: a spot-enabled Deployment (config/samples/spot/storefront.yaml)
// whose split shows on the autoscaling page, created while the spot nodes are cordoned so its
// spot pods stay Pending and the short schedule_timeout below triggers an on-demand fallback
// (SpotSchedulingDisabled, then SpotFallbackEviction per pod); the nodes are then uncordoned
// and, after the fallback window, the rebalancer moves the workload back to 6 spot / 4
// on-demand (SpotRebalancingEviction). Re-runs skip the fallback while its events are recent.
import path from "node:path";
import { AdmissionregistrationV1Api, AppsV1Api, type KubeConfig } from "@kubernetes/client-node";
import { installManifests } from "../../testing/install-manifests";
import { REPO_ROOT } from "../../testing/paths";
import { SPOT_EVENT_REASONS } from "../../lib/spot";
import { podSplit, setSpotNodesSchedulable, spotEvents } from "../../testing/spot-cluster";

const MANIFEST = path.join(REPO_ROOT, "config/samples/spot/storefront.yaml");
const NAMESPACE = "spot-demo";
const NAME = "storefront";

/**
 * The demo controller's spot settings, short enough to watch a fallback and its recovery;
 * any of them set in the environment wins (e.g. FLEETDECK_SPOT_WEBHOOK_URL for kind).
 */
export function spotDemoEnv(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const demo: Record<string, string> = {
    DD_AUTOSCALING_CLUSTER_SPOT_ENABLED: "true",
    DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: "10s",
    DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION: "1m",
    DD_AUTOSCALING_CLUSTER_SPOT_REBALANCE_STABILIZATION_PERIOD: "10s",
    FLEETDECK_SPOT_LOOP_INTERVAL: "2s",
    FLEETDECK_SPOT_WEBHOOK_ADDR: "127.0.0.1:9443",
  };
  return Object.fromEntries(Object.entries(demo).filter(([key]) => env[key] === undefined));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

export async function runSpotDemo(
  kc: KubeConfig,
  webhookName: string,
  say: (line: string) => void,
): Promise<void> {
  // A run interrupted halfway may have left the spot nodes cordoned.
  await setSpotNodesSchedulable(kc, true);
  const recentFallback = (await spotEvents(kc, NAMESPACE).catch(() => [])).some(
    (e) => e.reason === SPOT_EVENT_REASONS.schedulingDisabled && e.regarding?.name === NAME,
  );
  if (recentFallback) {
    await installManifests(kc, [MANIFEST]);
    say(`spot: ${NAMESPACE}/${NAME} is up (its fallback already ran); see /autoscaling`);
    return;
  }

  // Pods created before the API server knows the webhook would all start on-demand.
  await until("the spot webhook's registration", 30_000, async () => {
    const config = await kc
      .makeApiClient(AdmissionregistrationV1Api)
      .readMutatingWebhookConfiguration({ name: webhookName });
    return config.webhooks?.[0]?.clientConfig.caBundle ? true : undefined;
  });
  await sleep(1_000);
  await kc
    .makeApiClient(AppsV1Api)
    .deleteNamespacedDeployment({ name: NAME, namespace: NAMESPACE, propagationPolicy: "Foreground" })
    .catch(() => undefined);
  await until(
    "the old storefront's removal",
    60_000,
    async () =>
      (await kc
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: NAME, namespace: NAMESPACE })
        .then(
          () => undefined,
          () => true,
        )) ?? undefined,
  );

  await setSpotNodesSchedulable(kc, false);
  try {
    say(
      `spot: cordoned the spot nodes and created ${NAMESPACE}/${NAME} (10 replicas, 60 % spot, min 2 on-demand)`,
    );
    await installManifests(kc, [MANIFEST]);
    const disabled = await until("the on-demand fallback", 90_000, async () =>
      (await spotEvents(kc, NAMESPACE)).find(
        (e) => e.reason === SPOT_EVENT_REASONS.schedulingDisabled && e.regarding?.name === NAME,
      ),
    );
    say(`spot: its spot pods stayed Pending for 10 s → on-demand fallback: "${disabled.note}"`);
    // Pods admitted a moment later time out on a later tick; keep the nodes cordoned until
    // every spot pod has been evicted and replaced on-demand.
    await until("the replacement of every pending spot pod", 60_000, async () => {
      const split = await podSplit(kc, NAMESPACE, NAME);
      return split.spot === 0 && split.running === 10 ? true : undefined;
    });
  } finally {
    await setSpotNodesSchedulable(kc, true);
  }
  say(
    "spot: uncordoned; after the 1 min window the rebalancer moves it back to 6 spot / 4 on-demand (watch /autoscaling)",
  );
}
