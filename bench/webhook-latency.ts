// Pod creations at 50/s for 60 s through the real API server, twice in one run: with the spot
// webhook registered (every creation goes through it) and with it removed. Reports the
// webhook's own handling time (p50/p99 from the controller's summary of body received →
// response written) and how much it adds to the p99 of a creation as the client sees it; the
// details add headers → response (which includes waiting for the body) and what the controller
// process went through meanwhile (event-loop delay, GC, CPU, the machine's load).
//
// The pods belong to a spot-enabled StatefulSet (so the webhook takes its full path: owner,
// settings, placement, in-flight bookkeeping, and a JSONPatch for the spot ones), name a
// scheduler that does not exist (nothing schedules or runs them) and are deleted right after
// creation, so the cluster stays small; both phases do exactly the same.
import os from "node:os";
import { AppsV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { SPOT_CONFIG_ANNOTATION, SPOT_ENABLED_LABEL } from "../lib/spot";
import {
  deleteWebhookConfiguration,
  metricValue,
  spotControllerEnv,
  waitForWebhookActive,
} from "../test/spot";
import { benchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { eventuallyLeader, sleep } from "./util";

const RATE_PER_S = 50;
const SECONDS = 60;
const WARMUP_SECONDS = 5;
const MAX_IN_FLIGHT = 100;
const WEBHOOK = "fleetdeck-spot-bench";
const NAMESPACE = "webhook-bench";

interface Phase {
  /** Latency of each successful creation, ms. */
  latencies: number[];
  /** Failed creations by HTTP status (or error), e.g. 504 when the API server is overloaded. */
  failures: Record<string, number>;
  achievedRatePerS: number;
}

/**
 * Creates pods at a fixed rate (not waiting for earlier ones), each deleted once created. At
 * most MAX_IN_FLIGHT creations are outstanding: an API server that falls behind slows the rate
 * (reported as achieved_rate_per_s) instead of drowning in requests.
 */
async function createPods(
  kc: KubeConfig,
  owner: { uid: string },
  tag: string,
  seconds: number,
): Promise<Phase> {
  const core = kc.makeApiClient(CoreV1Api);
  const phase: Phase = { latencies: [], failures: {}, achievedRatePerS: 0 };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const count = RATE_PER_S * seconds;
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / RATE_PER_S - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const call: Promise<void> = createAndDelete(core, owner, `${tag}-${i}`, phase).finally(() =>
      inFlight.delete(call),
    );
    inFlight.add(call);
  }
  phase.achievedRatePerS = count / ((performance.now() - start) / 1000);
  await Promise.all(inFlight);
  return phase;
}

async function createAndDelete(
  core: CoreV1Api,
  owner: { uid: string },
  name: string,
  phase: Phase,
): Promise<void> {
  const t0 = performance.now();
  try {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: {
          name,
          ownerReferences: [
            { apiVersion: "apps/v1", kind: "StatefulSet", name: "bench", uid: owner.uid, controller: true },
          ],
        },
        spec: {
          containers: [{ name: "c", image: "registry.example/bench:1" }],
          terminationGracePeriodSeconds: 0,
          // No scheduler serves this name: the pods are only created and deleted, so the
          // scheduler and kwok add no load of their own to what is measured.
          schedulerName: "fleetdeck-bench-unscheduled",
        },
      },
    });
  } catch (error) {
    const key = String((error as { code?: unknown }).code ?? (error as Error).message);
    phase.failures[key] = (phase.failures[key] ?? 0) + 1;
    return;
  }
  phase.latencies.push(performance.now() - t0);
  await core
    .deleteNamespacedPod({ name, namespace: NAMESPACE, gracePeriodSeconds: 0 })
    .catch(() => undefined);
}

function phaseStats(phase: Phase) {
  return {
    created: phase.latencies.length,
    achieved_rate_per_s: phase.achievedRatePerS,
    p50: percentile(phase.latencies, 50),
    p99: percentile(phase.latencies, 99),
    max: Math.max(...phase.latencies),
    failures: phase.failures,
  };
}

async function metricsText(healthURL: string): Promise<string> {
  return (await fetch(`${healthURL}/metrics`)).text();
}

/**
 * What the controller process went through during a phase, to explain the webhook's tail:
 * event-loop delay (prom-client's monitorEventLoopDelay; a scrape resets it, so `after` covers
 * the phase only), time in GC, CPU used, and the machine's load.
 */
function processDuring(before: string, after: string, seconds: number) {
  const delta = (name: string) => metricValue(after, name) - metricValue(before, name);
  return {
    event_loop_delay_ms: {
      p50: metricValue(after, "nodejs_eventloop_lag_p50_seconds") * 1000,
      p99: metricValue(after, "nodejs_eventloop_lag_p99_seconds") * 1000,
      max: metricValue(after, "nodejs_eventloop_lag_max_seconds") * 1000,
    },
    gc_ms: delta("nodejs_gc_duration_seconds_sum") * 1000,
    gc_count: delta("nodejs_gc_duration_seconds_count"),
    cpu_percent: (delta("process_cpu_seconds_total") / seconds) * 100,
    machine_load_1m: os.loadavg()[0],
    cpus: os.cpus().length,
  };
}

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const core = stack.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    // The pods' owner: opted in at 70 %, no replicas of its own (its pods are the benchmark's).
    const owner = await stack.kc.makeApiClient(AppsV1Api).createNamespacedStatefulSet({
      namespace: NAMESPACE,
      body: {
        metadata: {
          name: "bench",
          labels: { [SPOT_ENABLED_LABEL]: "true" },
          annotations: { [SPOT_CONFIG_ANNOTATION]: '{"percentage":70}' },
        },
        spec: {
          replicas: 0,
          serviceName: "bench",
          selector: { matchLabels: { app: "bench-sts" } },
          template: {
            metadata: { labels: { app: "bench-sts" } },
            spec: { containers: [{ name: "c", image: "x" }] },
          },
        },
      },
    });
    const controller = await stack.startController(
      "bench-spot",
      await spotControllerEnv(WEBHOOK, {
        // Pods live for milliseconds here; keep the loops out of the measurement.
        DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: "1h",
        LOG_LEVEL: "info",
      }),
    );
    await eventuallyLeader(controller);
    await waitForWebhookActive(stack.kc, NAMESPACE, controller.healthURL);
    const uid = { uid: owner.metadata!.uid! };

    console.log("[bench] warm-up");
    await createPods(stack.kc, uid, "warmup", WARMUP_SECONDS);
    const before = await metricsText(controller.healthURL);
    const phaseStart = performance.now();
    console.log(`[bench] ${SECONDS} s at ${RATE_PER_S}/s with the webhook`);
    const withWebhook = await createPods(stack.kc, uid, "with", SECONDS);
    const after = await metricsText(controller.healthURL);
    const during = processDuring(before, after, (performance.now() - phaseStart) / 1000);
    const admitted =
      metricValue(after, "fleetdeck_spot_admissions_total") -
      metricValue(before, "fleetdeck_spot_admissions_total");
    const spot = metricValue(after, "fleetdeck_spot_admissions_total", { decision: "spot" });
    const quantileMs = (name: string, quantile: string) => metricValue(after, name, { quantile }) * 1000;
    const p50 = quantileMs("fleetdeck_spot_webhook_duration_seconds", "0.5");
    const p99 = quantileMs("fleetdeck_spot_webhook_duration_seconds", "0.99");
    const p999 = quantileMs("fleetdeck_spot_webhook_duration_seconds", "0.999");
    const count = metricValue(after, "fleetdeck_spot_webhook_duration_seconds_count");
    const sum = metricValue(after, "fleetdeck_spot_webhook_duration_seconds_sum");
    const requestP50 = quantileMs("fleetdeck_spot_webhook_request_duration_seconds", "0.5");
    const requestP99 = quantileMs("fleetdeck_spot_webhook_request_duration_seconds", "0.99");

    // Same load without the webhook: no controller, no registration.
    await controller.proc.stop();
    await deleteWebhookConfiguration(stack.kc, WEBHOOK);
    await sleep(2_000);
    console.log(`[bench] ${SECONDS} s at ${RATE_PER_S}/s without the webhook`);
    const withoutWebhook = await createPods(stack.kc, uid, "without", SECONDS);

    const createP99With = percentile(withWebhook.latencies, 99);
    const createP99Without = percentile(withoutWebhook.latencies, 99);
    return {
      summary: { p50_ms: p50, p99_ms: p99, create_overhead_p99_ms: createP99With - createP99Without },
      details: {
        rate_per_s: RATE_PER_S,
        seconds: SECONDS,
        admissions_during_phase: admitted,
        spot_decisions_total: spot,
        webhook_mean_ms: count > 0 ? (sum / count) * 1000 : null,
        webhook_p999_ms: p999,
        // Headers received → response: adds the wait for the body (the API server's sending and
        // this process's event-loop delay), which the handling time above leaves out.
        webhook_request_p50_ms: requestP50,
        webhook_request_p99_ms: requestP99,
        controller_during_phase: during,
        // The summary covers the last 10 minutes: the warm-up's admissions are in it too.
        create_ms: { with_webhook: phaseStats(withWebhook), without_webhook: phaseStats(withoutWebhook) },
        target: { p99_ms: 20 },
      },
    };
  } finally {
    await stack.close();
  }
}
