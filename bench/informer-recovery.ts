// An informer on 500 ConfigMaps while kube-apiserver is stopped for 5 s and started again:
// time from the API server answering /readyz again to the informer having seen an object
// created at that moment (reconnected, relisted after 410 Gone when needed, and current).
import { CoreV1Api } from "@kubernetes/client-node";
import pino from "pino";
import { KubeClient } from "../controller/kube/client";
import { Informer } from "../controller/kube/informer";
import { fetchRaw } from "../testing/api-server";
import { startComponent, stopComponent } from "../testing/local-cluster";
import { benchStack } from "./stack";
import { median } from "./stats";
import type { BenchResult } from "./types";
import { sleep } from "./util";

const OBJECTS = 500;
const ROUNDS = 3;
const DOWN_MS = 5_000;

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const core = stack.kc.makeApiClient(CoreV1Api);
    const namespace = "informer-bench";
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (let i = 0; i < OBJECTS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          core.createNamespacedConfigMap({
            namespace,
            body: { metadata: { name: `cm-${i + j}` }, data: { i: String(i + j) } },
          }),
        ),
      );
    }
    const informer = new Informer(
      new KubeClient(stack.kc),
      { name: "bench", path: `/api/v1/namespaces/${namespace}/configmaps` },
      pino({ level: "silent" }),
    );
    informer.start();
    await informer.waitForSync();

    const recoveries: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const stopped = await stopComponent(stack.handle, "kube-apiserver");
      await sleep(DOWN_MS);
      startComponent(stack.handle, stopped);
      let readyAt = 0;
      while (!readyAt) {
        try {
          if ((await fetchRaw(stack.kc, "/readyz")).status === 200) readyAt = Date.now();
        } catch {
          // not listening yet
        }
        if (!readyAt) await sleep(10);
      }
      const sentinel = `sentinel-${round}`;
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: sentinel } } });
      while (!informer.get(`${namespace}/${sentinel}`)) await sleep(5);
      const ms = Date.now() - readyAt;
      recoveries.push(ms);
      if (informer.size !== OBJECTS + round + 2)
        throw new Error(`informer holds ${informer.size} objects, expected ${OBJECTS + round + 2}`);
      console.log(`round ${round + 1}: recovered ${ms} ms after /readyz`);
    }
    await informer.stop();
    return {
      summary: { recovery_ms: Math.max(...recoveries) },
      details: {
        statistic: "max of rounds",
        rounds: recoveries,
        median_ms: median(recoveries),
        objects: OBJECTS,
        downMs: DOWN_MS,
        target: { recovery_ms: 5000 },
      },
    };
  } finally {
    await stack.close();
  }
}
