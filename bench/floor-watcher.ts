// The floor of the metadata-peer benchmark: the least a forwarder can do, in a process of its
// own. One bare informer on DatadogAgents (LIST, then WATCH; no cache transform, no queue, no
// store, no reconciler) that POSTs each created or changed object to the intake on a kept-alive
// connection, in the shape the benchmark reads (datadog_operator_crd_metadata). The same creates
// and edits measured through it give the part of latency and burst time that the API server,
// the watch delivery and the machine cost every side alike.
//   tsx bench/floor-watcher.ts --kubeconfig FILE --intake URL
import http from "node:http";
import { parseArgs } from "node:util";
import pino from "pino";
import { KubeClient } from "../controller/kube/client";
import { Informer, type KubeObject } from "../controller/kube/informer";
import { loadKubeConfig } from "../controller/kube/kubeconfig";

const { values } = parseArgs({
  options: { kubeconfig: { type: "string" }, intake: { type: "string" } },
});
if (!values.kubeconfig || !values.intake) {
  console.error("usage: floor-watcher --kubeconfig FILE --intake URL");
  process.exit(2);
}
const intake = new URL("/api/v1/metadata", values.intake);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const { kc } = await loadKubeConfig({ explicit: values.kubeconfig, fallbacks: [] });

function post(obj: KubeObject): void {
  const body = JSON.stringify({
    datadog_operator_crd_metadata: {
      crd_kind: "DatadogAgent",
      crd_name: obj.metadata.name,
      crd_namespace: obj.metadata.namespace ?? "",
      crd_uid: obj.metadata.uid ?? "",
      crd_spec_full: JSON.stringify(obj.spec ?? {}),
      crd_labels: JSON.stringify(obj.metadata.labels ?? {}),
      crd_annotations: JSON.stringify(obj.metadata.annotations ?? {}),
    },
  });
  const req = http.request(intake, {
    method: "POST",
    agent,
    headers: {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
      "DD-API-KEY": process.env.DD_API_KEY ?? "floor",
    },
  });
  req.on("response", (res) => res.resume());
  req.on("error", (error) => console.error(`post failed: ${error.message}`));
  req.end(body);
}

const informer = new Informer(
  new KubeClient(kc, "fleetdeck-bench-floor"),
  { name: "floor-datadogagents", path: "/apis/datadoghq.com/v2alpha1/datadogagents" },
  pino({ level: "warn" }),
);
// Only spec changes are forwarded, as both real forwarders do (a status write sends nothing).
informer.on("add", post).on("update", (old, obj) => {
  if (JSON.stringify(old.spec) !== JSON.stringify(obj.spec)) post(obj);
});
informer.start();
await informer.waitForSync();
console.log("floor watcher synced");
http
  .createServer((_req, res) => res.end("ok"))
  .listen(Number(process.env.FLOOR_HEALTH_PORT ?? 0), "127.0.0.1");
process.on("SIGTERM", () => void informer.stop().then(() => process.exit(0)));
