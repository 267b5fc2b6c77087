// 10 experiments whose candidates crash-loop (kwok's simulated failures, config/cluster/
// kwok-stages.yaml), one after the other on a real controller process, each with a 20 s grace:
// the time from the first failing candidate pod (its arrival on a pod watch; it is never ready)
// to the DaemonSet's pod template back at the baseline (a watch too), minus the grace. The gate
// counts the grace from the pod's Ready transition time, which the API server keeps in whole
// seconds and the gate reads as the end of its second: a sample includes up to a second of that
// rounding on top of the controller's own delay.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { KubeClient } from "../controller/kube/client";
import { Informer, type KubeObject } from "../controller/kube/informer";
import { openDatabase } from "../lib/db/open";
import { benchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { agentInStore, benchCommand, eventuallyLeader, landedCandidate, until } from "./util";

const ITERATIONS = 10;
const GRACE_SECONDS = 20;
const NAMESPACE = "health-bench";
const NAME = "bench";
const TARGET = `${NAMESPACE}/${NAME}`;
const REVISION_HASH_LABEL = "fleetdeck.dev/revision-hash";

interface Agent {
  status?: { experiment?: { phase?: string; terminationReason?: string } };
}

interface DaemonSet extends KubeObject {
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: { desiredNumberScheduled?: number; updatedNumberScheduled?: number; numberReady?: number };
}

function watch(kc: KubeConfig, path: string, observe: (obj: KubeObject) => void) {
  const informer = new Informer<KubeObject>(
    new KubeClient(kc),
    { name: path, path },
    pino({ level: "silent" }),
  );
  informer.on("add", observe);
  informer.on("update", (_old, obj) => observe(obj));
  informer.start();
  return informer;
}

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const controller = await stack.startController("bench-controller");
    await eventuallyLeader(controller);
    const db = await openDatabase({ url: stack.databaseUrl });
    const custom = stack.kc.makeApiClient(CustomObjectsApi);
    const ref = {
      group: "datadoghq.com",
      version: "v2alpha1",
      plural: "datadogagents",
      namespace: NAMESPACE,
    };
    await stack.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await custom.createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: "datadoghq.com/v2alpha1",
        kind: "DatadogAgent",
        metadata: { name: NAME },
        spec: { global: { clusterName: "bench" } },
      },
    });
    const agent = async () => (await custom.getNamespacedCustomObject({ ...ref, name: NAME })) as Agent;
    const baseline = await until(
      "the first reconcile",
      async () => (await agentInStore(db, stack.clusterId, TARGET))?.currentRevision,
    );

    // When each revision's first agent pod arrived, and the DaemonSet as the watch delivers it.
    const firstPodAt = new Map<string, number>();
    const pods = watch(stack.kc, `/api/v1/namespaces/${NAMESPACE}/pods`, (pod) => {
      const hash = pod.metadata.labels?.[REVISION_HASH_LABEL];
      if (hash && !firstPodAt.has(hash) && pod.metadata.labels?.["app.kubernetes.io/component"] === "agent") {
        firstPodAt.set(hash, Date.now());
      }
    });
    let daemonSet: DaemonSet | undefined;
    let templateRevision: string | undefined;
    let changedAt = 0;
    const daemonSets = watch(stack.kc, `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets`, (obj) => {
      if (obj.metadata.name !== `${NAME}-agent`) return;
      daemonSet = obj as DaemonSet;
      const revision = daemonSet.spec?.template?.metadata?.annotations?.["fleetdeck.dev/revision"];
      if (revision !== templateRevision) {
        templateRevision = revision;
        changedAt = Date.now();
      }
    });
    await Promise.all([pods.waitForSync(), daemonSets.waitForSync()]);
    /** Every node runs a ready agent at the baseline. */
    const settled = () => {
      const s = daemonSet?.status;
      return templateRevision === baseline &&
        !!s?.desiredNumberScheduled &&
        s.updatedNumberScheduled === s.desiredNumberScheduled &&
        s.numberReady === s.desiredNumberScheduled
        ? true
        : undefined;
    };
    await until("the agents at the baseline", settled);

    const samples: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const id = `crash-${i}`;
      await benchCommand(db, stack.clusterId, "start-experiment", TARGET, {
        experimentId: id,
        config: { override: { nodeAgent: { image: { tag: `7.72.1-crashloop.${i}` } } } },
        healthGate: { graceSeconds: GRACE_SECONDS },
      });
      const candidate = await until("the candidate to land", () =>
        landedCandidate(db, stack.clusterId, TARGET),
      );
      const failingAt = await until("the first candidate pod", () => firstPodAt.get(candidate!.slice(-10)));
      await until(
        "the DaemonSet back at the baseline",
        () => (templateRevision === baseline ? true : undefined),
        { timeoutMs: (GRACE_SECONDS + 60) * 1000 },
      );
      samples.push(changedAt - failingAt - GRACE_SECONDS * 1000);
      // The operator's phase shows the end once the baseline is restored.
      await until("the experiment to end", async () =>
        (await agent()).status?.experiment?.phase === "running" ? undefined : true,
      );
      await until("the agents at the baseline again", settled);
      console.log(`[health-rollback] ${id}: ${samples.at(-1)} ms after the grace`);
    }
    const events = await stack.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NAMESPACE });
    const unhealthy = events.items.filter((e) => e.reason === "ExperimentUnhealthy").length;
    await Promise.all([pods.stop(), daemonSets.stop()]);
    await db.$disconnect();
    return {
      summary: { p50_ms: percentile(samples, 50), p99_ms: percentile(samples, 99) },
      details: {
        iterations: ITERATIONS,
        grace_seconds: GRACE_SECONDS,
        max_ms: Math.max(...samples),
        samples_ms: samples,
        experiment_unhealthy_events: unhealthy,
        target: { p99_ms: 10_000 },
      },
    };
  } finally {
    await stack.close();
  }
}
