// The memory claim of the lazy autoscaling gate, measured: 20,000 pods in the local API server
// and the controller's heap retained after a full GC (GET /debug/heap, served because the
// controllers run with --expose-gc) for (a) workload autoscaling off, (b) on with no
// autoscaler (gate closed), (c) the same process once an autoscaler exists (gate open, slim
// pods cached), (d) a fresh process with an autoscaler present and the pod store's transform
// off (whole pods cached). Spot scheduling is off throughout, so only the gate starts the store.
//   closed_overhead_mb         = (b − a) / 2^20            target ≤ 10
//   bytes_per_pod              = (c − b) / pods cached     target ≤ 1,024
//   untransformed_bytes_per_pod = (d − b) / pods cached
//   pod_requests_while_closed  = cluster-wide pod LIST/WATCH requests with (b)'s User-Agent in the API
//                                server's audit log, from its start until the autoscaler exists (target 0)
import https from "node:https";
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from "@kubernetes/client-node";
import {
  auditedPodRequests,
  autoscalerBody,
  clusterWide,
  createAutoscaler,
  readyz,
} from "../test/autoscaling";
import type { TestController } from "../testing/controllers";
import { benchStack } from "./stack";
import type { BenchResult } from "./types";
import { sleep } from "./util";

const PODS = Number(process.env.BENCH_GATE_PODS ?? 20_000);
const NODES = 10;
const NAMESPACE = "gate-bench";
const CONCURRENCY = 48;

/** A kwok node with room for the benchmark's pods (the cluster's own six take 250 each). */
function benchNode(i: number): V1Node {
  const name = `kwok-bench-${i}`;
  return {
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", type: "kwok" },
    },
    status: {
      allocatable: { cpu: "1000", memory: "4Ti", pods: String(Math.ceil(PODS / NODES) + 100) },
      capacity: { cpu: "1000", memory: "4Ti", pods: String(Math.ceil(PODS / NODES) + 100) },
    },
  };
}

/** A bare pod bound to a bench node, shaped like a real application pod (env, probes, mounts). */
function benchPod(i: number): V1Pod {
  return {
    metadata: {
      name: `app-${i}`,
      labels: { app: `app-${i % 200}`, tier: "backend", team: "payments", "pod-template-hash": "5d8f7c9b6f" },
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9090" },
    },
    spec: {
      nodeName: `kwok-bench-${i % NODES}`,
      containers: [
        {
          name: "app",
          image: `registry.example.com/payments/app-${i % 200}:1.42.0`,
          command: ["/app/server"],
          args: ["--port=8080", "--metrics-port=9090", "--log-format=json"],
          env: [
            { name: "DD_ENV", value: "prod" },
            { name: "DD_SERVICE", value: `app-${i % 200}` },
            { name: "DD_VERSION", value: "1.42.0" },
            { name: "GOMAXPROCS", value: "2" },
          ],
          ports: [
            { name: "http", containerPort: 8080 },
            { name: "metrics", containerPort: 9090 },
          ],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
          readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 10 },
          livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 20 },
          volumeMounts: [{ name: "config", mountPath: "/etc/app" }],
        },
      ],
      volumes: [{ name: "config", emptyDir: {} }],
      terminationGracePeriodSeconds: 0,
    },
  };
}

/** Creates the pods over a few keep-alive connections, CONCURRENCY requests in flight. */
async function createPods(kc: KubeConfig): Promise<void> {
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: CONCURRENCY,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
  });
  const server = new URL(kc.getCurrentCluster()!.server);
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = https.request(
        {
          host: server.hostname,
          port: server.port,
          path: `/api/v1/namespaces/${NAMESPACE}/pods`,
          method: "POST",
          agent,
          headers: {
            ...options.headers,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            res.statusCode === 201 || res.statusCode === 409
              ? resolve()
              : reject(new Error(`POST pod: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PODS) {
        const i = next++;
        await post(JSON.stringify(benchPod(i)));
      }
    }),
  );
  agent.destroy();
}

/** Waits until no bench pod is still short of Running (kwok reports them), up to `timeoutMs`. */
async function waitForPodsRunning(kc: KubeConfig, timeoutMs: number): Promise<boolean> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const notRunning = await core.listNamespacedPod({
      namespace: NAMESPACE,
      fieldSelector: "status.phase!=Running",
      limit: 1,
    });
    if (notRunning.items.length === 0) return true;
    await sleep(2_000);
  }
  return false;
}

async function heapAfterGc(c: TestController): Promise<number> {
  // The lowest of a few readings: a collection can land while a watch event is being decoded.
  const readings: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${c.healthURL}/debug/heap`);
    if (!res.ok) throw new Error(`GET /debug/heap: HTTP ${res.status} (is --expose-gc set?)`);
    readings.push(((await res.json()) as { heapUsedBytes: number }).heapUsedBytes);
    await sleep(500);
  }
  return Math.min(...readings);
}

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const core = stack.kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < NODES; i++) await core.createNode({ body: benchNode(i) });
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    const createStart = Date.now();
    await createPods(stack.kc);
    const createSeconds = (Date.now() - createStart) / 1000;
    console.log(`[gate-memory] created ${PODS} pods in ${createSeconds.toFixed(1)} s`);
    const allRunning = await waitForPodsRunning(stack.kc, 300_000);
    console.log(`[gate-memory] pods running: ${allRunning}`);

    const env = (extra: Record<string, string>) => ({
      NODE_OPTIONS: "--expose-gc",
      LOG_LEVEL: "info",
      FLEETDECK_LEADER_ELECT: "false",
      ...extra,
    });
    const settle = () => sleep(5_000);

    // (a) workload autoscaling off.
    const off = await stack.startController(
      "gate-bench-off",
      env({ DD_AUTOSCALING_WORKLOAD_ENABLED: "false" }),
    );
    await settle();
    const a = await heapAfterGc(off);
    await off.proc.stop();

    // (b) on, no autoscaler: the gate stays closed.
    const closedSince = new Date();
    const lazy = await stack.startController(
      "gate-bench-lazy",
      env({ DD_AUTOSCALING_WORKLOAD_ENABLED: "true" }),
    );
    await settle();
    const b = await heapAfterGc(lazy);
    const closed = await readyz(lazy.healthURL);
    if (closed.autoscaling.gate.open) throw new Error("the gate opened without an autoscaler");
    // Cluster-wide ones: the agents' label-filtered pod watch (agent health) is not the gate's.
    const requestsWhileClosed = auditedPodRequests(stack.handle.dir, closedSince).filter(
      (r) => r.userAgent.includes(" gate-bench-lazy") && clusterWide(r),
    );

    // (c) an autoscaler appears: the same process opens its gate and caches slim pods.
    await createAutoscaler(stack.kc, NAMESPACE, autoscalerBody("bench", { name: "absent" }));
    const open = await waitForPods(lazy);
    await settle();
    const c = await heapAfterGc(lazy);
    const estimated = (await readyz(lazy.healthURL)).autoscaling.podStore.estimatedBytes;
    await lazy.proc.stop();

    // (d) a fresh process, autoscaler present, whole pods cached (transform off).
    const whole = await stack.startController(
      "gate-bench-untransformed",
      env({ DD_AUTOSCALING_WORKLOAD_ENABLED: "true", FLEETDECK_POD_CACHE_TRANSFORM: "false" }),
    );
    const wholeCached = await waitForPods(whole);
    await settle();
    const d = await heapAfterGc(whole);
    await whole.proc.stop();

    const mb = (bytes: number) => bytes / 1024 / 1024;
    return {
      summary: {
        closed_overhead_mb: mb(b - a),
        bytes_per_pod: Math.round((c - b) / open),
        untransformed_bytes_per_pod: Math.round((d - b) / wholeCached),
        pod_requests_while_closed: requestsWhileClosed.length,
      },
      details: {
        pods: PODS,
        podsCached: { transformed: open, untransformed: wholeCached },
        allPodsRunning: allRunning,
        createSeconds,
        heapAfterGcMb: { a: mb(a), b: mb(b), c: mb(c), d: mb(d) },
        estimatedBytesPerPod: Math.round(estimated / open),
        requestsWhileClosed,
        targets: { closed_overhead_mb: 10, bytes_per_pod: 1024, pod_requests_while_closed: 0 },
      },
    };
  } finally {
    await stack.close();
  }
}

/** Waits until the controller's pod store has synced; returns how many pods it caches. */
async function waitForPods(c: TestController): Promise<number> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { autoscaling } = await readyz(c.healthURL);
    if (autoscaling.gate.podCollectionSynced && autoscaling.podStore.podsCached >= PODS) {
      return autoscaling.podStore.podsCached;
    }
    if (Date.now() > deadline)
      throw new Error(`${c.id}: pod store not synced (${JSON.stringify(autoscaling)})`);
    await sleep(1_000);
  }
}
