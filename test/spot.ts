// Helpers of the spot scheduling tests and benchmarks: spot-enabled workloads and a
// spot-enabled controller's settings, its webhook and its metrics (the pod split, the spot
// nodes and the spot events are in testing/spot-cluster.ts, which the demo uses too).
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Deployment,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import https from "node:https";
import { SPOT_CONFIG_ANNOTATION, SPOT_ENABLED_LABEL } from "../lib/spot";
import { freePort } from "../testing/processes";

/**
 * The MutatingWebhookConfiguration's name config/deploy fixes: its ClusterRole grants that one
 * name only, and `npm run test:int:sa` runs the controller code with that ClusterRole. Test
 * files run one at a time and each deletes it afterwards.
 */
export const INSTALLED_WEBHOOK_NAME = "fleetdeck-spot";

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

export interface WebhookPost {
  port: number;
  /** The CA the webhook's certificate is verified against. */
  ca: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** A bearer token, as the API server presents one (testing/webhook-auth.ts). */
  token?: string;
  /** Stream the body in chunks without a Content-Length. */
  chunked?: boolean;
}

/** POSTs to a webhook server's /mutate over HTTPS; resolves with the status and the body text. */
export function postToWebhook(post: WebhookPost): Promise<{ status: number; text: string }> {
  const { port, ca, body, token, chunked = false } = post;
  const headers = {
    "content-type": "application/json",
    ...post.headers,
    ...(chunked ? {} : { "content-length": String(Buffer.byteLength(body)) }),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: "127.0.0.1", port, path: "/mutate", method: "POST", ca, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    // The server answers an oversized body before reading all of it; what is still being
    // written may then fail, which is not the caller's concern.
    req.on("error", reject);
    if (chunked) for (let i = 0; i < body.length; i += 8192) req.write(body.slice(i, i + 8192));
    else req.write(body);
    req.end();
  });
}

/** An AdmissionReview of a pod CREATE in namespace "shop", as the API server sends one. */
export function podCreateReview(pod: object, uid = "uid-1"): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      namespace: "shop",
      operation: "CREATE",
      object: pod,
    },
  });
}
