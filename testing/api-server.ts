// Waiting for a cluster's API server (any cluster a kubeconfig names) and reading its raw
// endpoints.
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";

export async function waitForApiServer(kc: KubeConfig, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetchRaw(kc, "/readyz");
      if (res.status === 200) return;
      lastError = `readyz answered ${res.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`kube-apiserver not ready after ${timeoutMs} ms: ${lastError}`);
}

/** GET a raw path with the kubeconfig's credentials (for /readyz, /version, /metrics). */
export async function fetchRaw(kc: KubeConfig, urlPath: string): Promise<{ status: number; body: string }> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(urlPath, cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...opts, method: "GET", timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout GET ${urlPath}`)));
    req.on("error", reject);
    req.end();
  });
}

export async function waitForNodesReady(kc: KubeConfig, count: number, timeoutMs = 60_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let ready = 0;
  while (Date.now() < deadline) {
    const nodes = await core.listNode();
    ready = nodes.items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    ).length;
    if (ready >= count) return;
    await sleep(250);
  }
  throw new Error(`only ${ready} of ${count} nodes became Ready within ${timeoutMs} ms`);
}
