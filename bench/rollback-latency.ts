// 50 experiments on a real controller process: each is started and given time to land (the
// DaemonSet runs the candidate), then a stop command is inserted as the dashboard does; the
// time is measured from that insert to the DaemonSet's pod template carrying the baseline
// revision again (seen through a watch, not by polling).
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import pino from "pino";
import { KubeClient } from "../controller/kube/client";
import { Informer, type KubeObject } from "../controller/kube/informer";
import { openDatabase } from "../lib/db/open";
import { benchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { agentInStore, benchCommand, eventuallyLeader, landedCandidate, until } from "./util";

const ITERATIONS = 50;
const NAMESPACE = "rollback-bench";
const NAME = "bench";
const TARGET = `${NAMESPACE}/${NAME}`;

interface Agent {
  status?: { experiment?: { phase?: string } };
}

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const controller = await stack.startController("bench-controller");
    await eventuallyLeader(controller);
    const db = await openDatabase({ url: stack.databaseUrl });
    const custom = stack.kc.makeApiClient(CustomObjectsApi);
    await stack.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await custom.createNamespacedCustomObject({
      group: "datadoghq.com",
      version: "v2alpha1",
      plural: "datadogagents",
      namespace: NAMESPACE,
      body: {
        apiVersion: "datadoghq.com/v2alpha1",
        kind: "DatadogAgent",
        metadata: { name: NAME },
        spec: { global: { clusterName: "bench" }, features: { apm: { enabled: true } } },
      },
    });
    const agent = async () =>
      (await custom.getNamespacedCustomObject({
        group: "datadoghq.com",
        version: "v2alpha1",
        plural: "datadogagents",
        namespace: NAMESPACE,
        name: NAME,
      })) as Agent;
    const baseline = await until(
      "the first reconcile",
      async () => (await agentInStore(db, stack.clusterId, TARGET))?.currentRevision,
    );

    // The DaemonSet's template revision, as a watch delivers it, with the time it arrived.
    let templateRevision: string | undefined;
    let changedAt = 0;
    const daemonSets = new Informer<KubeObject>(
      new KubeClient(stack.kc),
      {
        name: "bench-ds",
        path: `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets`,
        fieldSelector: `metadata.name=${NAME}-agent`,
      },
      pino({ level: "silent" }),
    );
    const observe = (ds: KubeObject) => {
      const spec = ds.spec as
        { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined;
      const revision = spec?.template?.metadata?.annotations?.["fleetdeck.dev/revision"];
      if (revision !== templateRevision) {
        templateRevision = revision;
        changedAt = Date.now();
      }
    };
    daemonSets.on("add", observe);
    daemonSets.on("update", (_old, ds) => observe(ds));
    daemonSets.start();
    await daemonSets.waitForSync();
    await until("the DaemonSet at the baseline", () => (templateRevision === baseline ? true : undefined));

    const latencies: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const id = `bench-${i}`;
      await benchCommand(db, stack.clusterId, "start-experiment", TARGET, {
        experimentId: id,
        config: { global: { tags: [`iteration:${i}`] } },
      });
      const candidate = await until("the candidate to land", () =>
        landedCandidate(db, stack.clusterId, TARGET),
      );
      await until("the DaemonSet at the candidate", () =>
        templateRevision === candidate ? true : undefined,
      );

      const inserted = Date.now();
      await benchCommand(db, stack.clusterId, "stop-experiment", TARGET, { experimentId: id });
      await until("the DaemonSet back at the baseline", () =>
        templateRevision === baseline ? true : undefined,
      );
      latencies.push(changedAt - inserted);
      // The operator's phase shows the end once the baseline is restored.
      await until("the experiment to end", async () =>
        (await agent()).status?.experiment?.phase === "running" ? undefined : true,
      );
    }
    await daemonSets.stop();
    await db.$disconnect();
    return {
      summary: { p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) },
      details: {
        iterations: ITERATIONS,
        max_ms: Math.max(...latencies),
        samples_ms: latencies,
        target: { p99_ms: 1000 },
      },
    };
  } finally {
    await stack.close();
  }
}
