// A 100-replica Deployment at 70 % spot, from its creation to the exact target split (70 spot,
// 30 on-demand) with every pod Running, against a controller with the production timings (10 s
// loops, 1 min stabilization). split_error = |spot − 70| when it settled, or at the deadline.
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { podSplit } from "../testing/spot-cluster";
import { spotControllerEnv, spotDeployment, waitForWebhookActive } from "../test/spot";
import { benchStack } from "./stack";
import type { BenchResult } from "./types";
import { eventuallyLeader, sleep } from "./util";

const REPLICAS = 100;
const PERCENTAGE = 70;
const TARGET_SPOT = 70;
const DEADLINE_S = 300;
const NAMESPACE = "convergence-bench";

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    await stack.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    const controller = await stack.startController(
      "bench-spot",
      await spotControllerEnv("fleetdeck-spot-bench", {
        // Production timings: convergence must not rely on fast loops.
        FLEETDECK_SPOT_LOOP_INTERVAL: "10s",
        DD_AUTOSCALING_CLUSTER_SPOT_REBALANCE_STABILIZATION_PERIOD: "1m",
        DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: "1m",
        DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION: "2m",
        LOG_LEVEL: "info",
      }),
    );
    await eventuallyLeader(controller);
    await waitForWebhookActive(stack.kc, NAMESPACE, controller.healthURL);

    const created = Date.now();
    await stack.kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: NAMESPACE,
      body: spotDeployment(NAMESPACE, "convergence", REPLICAS, { percentage: PERCENTAGE }),
    });
    const samples: { t: number; spot: number; onDemand: number; running: number }[] = [];
    let settledAt: number | undefined;
    let last = { spot: 0, onDemand: 0, running: 0 };
    while (Date.now() - created < DEADLINE_S * 1000) {
      const s = await podSplit(stack.kc, NAMESPACE, "convergence");
      last = { spot: s.spot, onDemand: s.onDemand, running: s.running };
      samples.push({ t: (Date.now() - created) / 1000, ...last });
      if (s.spot === TARGET_SPOT && s.onDemand === REPLICAS - TARGET_SPOT && s.running === REPLICAS) {
        settledAt = Date.now();
        break;
      }
      await sleep(250);
    }
    const seconds = ((settledAt ?? Date.now()) - created) / 1000;
    return {
      summary: { seconds, split_error: Math.abs(last.spot - TARGET_SPOT) },
      details: {
        replicas: REPLICAS,
        percentage: PERCENTAGE,
        settled: settledAt !== undefined,
        final: last,
        // Every 10th sample, enough to see the curve.
        samples: samples.filter((_, i) => i % 10 === 0 || i === samples.length - 1),
        target: { seconds: 120, split_error: 0 },
      },
    };
  } finally {
    await stack.close();
  }
}
