// A controller SIGKILLed in the middle of an on-demand fallback: it has opened the window and
// evicted some of the timed-out pending spot pods, not all. After the restart the window is
// the same (not extended), every pending spot pod is evicted exactly once, nothing else is
// evicted while spot is disabled, and after the window the rebalancer evicts exactly what the
// target split needs, no more. Evictions are observed as the cluster sees them: kwok deletes an
// evicted pod at once (grace 0) and nothing else deletes pods of this Deployment here.
import { AppsV1Api, CoreV1Api, Watch, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPOT_ASSIGNED_LABEL, SPOT_DISABLED_UNTIL_ANNOTATION, SPOT_EVENT_REASONS } from "../../lib/spot";
import { createNamespace, eventually, testNamespace, testWebhookAuthEnv } from "../harness";
import {
  deleteWebhookConfiguration,
  INSTALLED_WEBHOOK_NAME,
  spotControllerEnv,
  spotDeployment,
  waitForWebhookActive,
} from "../spot";
import { eventTime, podSplit, setSpotNodesSchedulable, spotEvents } from "../../testing/spot-cluster";
import { faultStack } from "./stack";

const ns = testNamespace("faults-spot");
// The controller's own namespace (its Lease, its certificate Secret) is one the webhook
// excludes, so the workload lives in the file's namespace and the controller in another.
let controllerNamespace = "";
const stack = faultStack(() => controllerNamespace);
const webhookName = INSTALLED_WEBHOOK_NAME;

beforeAll(async () => {
  controllerNamespace = await createNamespace(ns.kc, "faults-spot-ctl");
});

afterAll(async () => {
  await setSpotNodesSchedulable(ns.kc, true);
  await deleteWebhookConfiguration(ns.kc, webhookName);
  if (controllerNamespace)
    await ns.kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: controllerNamespace })
      .catch(() => undefined);
});

// 10 replicas at 100 %, min 2 on-demand: 8 spot pods (Pending while the spot nodes are
// cordoned) and 2 on-demand ones; the final split is 8 / 2.
const REPLICAS = 10;
const SPOT = 8;
const ON_DEMAND = 2;

interface Deletion {
  name: string;
  spot: boolean;
  phase: string;
  at: number;
}

/** Every pod of `app` the API server deletes, from a watch started now. */
async function watchDeletions(app: string, onDelete: (d: Deletion) => void): Promise<() => void> {
  const deletions = new Set<string>();
  const request = await new Watch(ns.kc).watch(
    `/api/v1/namespaces/${ns.name}/pods`,
    { labelSelector: `app=${app}` },
    (type: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? "";
      if (type !== "DELETED" || deletions.has(name)) return;
      deletions.add(name);
      onDelete({
        name,
        spot: pod.metadata?.labels?.[SPOT_ASSIGNED_LABEL] === "true",
        phase: pod.status?.phase ?? "",
        at: Date.now(),
      });
    },
    () => undefined,
  );
  return () => request.abort();
}

describe("controller SIGKILLed mid on-demand fallback", () => {
  it("after the restart the window is unchanged, every pending spot pod is evicted once, and the split is reached with no extra eviction", async () => {
    const s = await stack();
    const env = (overrides: Record<string, string> = {}) =>
      spotControllerEnv(webhookName, {
        DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION: "45s",
        ...testWebhookAuthEnv(),
        ...overrides,
      });
    const first = await s.controller("spot-crash-1", await env());
    await eventually(async () => expect(await first.isLeader()).toBe(true), { timeoutMs: 30_000 });
    await waitForWebhookActive(ns.kc, ns.name, first.healthURL);

    await setSpotNodesSchedulable(ns.kc, false);
    const app = "stuck";
    const deletions: Deletion[] = [];
    let killed: Promise<unknown> | undefined;
    const stopWatch = await watchDeletions(app, (d) => {
      deletions.push(d);
      // The first fallback eviction: kill the controller while it works through the rest.
      if (!killed && d.spot) killed = first.proc.kill();
    });
    try {
      await ns.kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
        namespace: ns.name,
        body: spotDeployment(ns.name, app, REPLICAS, { percentage: 100, minOnDemandReplicas: ON_DEMAND }),
      });
      const stuck = await eventually(
        async () => {
          const split = await podSplit(ns.kc, ns.name, app);
          expect({ spot: split.spot, onDemand: split.onDemand, pending: split.pending }).toEqual({
            spot: SPOT,
            onDemand: ON_DEMAND,
            pending: SPOT,
          });
          return split.pods.filter((p) => p.status?.phase === "Pending").map((p) => p.metadata!.name!);
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );

      // schedule_timeout is 3 s: the fallback starts and the first eviction kills the controller.
      await eventually(() => expect(killed).toBeDefined(), { timeoutMs: 30_000, intervalMs: 20 });
      await killed;
      const until = (
        await ns.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: app, namespace: ns.name })
      ).metadata?.annotations?.[SPOT_DISABLED_UNTIL_ANNOTATION];
      expect(until, "the window was opened before the first eviction").toMatch(/^\d{4}-.*Z$/);
      // Requests the dead process had already sent may still land; give them a moment.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const evictedBeforeRestart = deletions.length;
      console.log(`[faults] spot fallback: ${evictedBeforeRestart} of ${SPOT} evicted when killed`);
      expect(evictedBeforeRestart, "killed in the middle of the fallback").toBeLessThan(SPOT);

      const second = await s.controller("spot-crash-2", await env());
      await eventually(async () => expect(await second.isLeader()).toBe(true), { timeoutMs: 30_000 });

      // The restarted leader finishes the fallback: every replacement runs on-demand.
      await eventually(
        async () => {
          const split = await podSplit(ns.kc, ns.name, app);
          expect({ spot: split.spot, onDemand: split.onDemand, running: split.running }).toEqual({
            spot: 0,
            onDemand: REPLICAS,
            running: REPLICAS,
          });
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      // Exactly the pods that were pending on spot, each once; the window was not extended.
      const deployment = await ns.kc
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: app, namespace: ns.name });
      expect(deployment.metadata?.annotations?.[SPOT_DISABLED_UNTIL_ANNOTATION]).toBe(until);
      expect(Date.now(), "the fallback finished inside the window").toBeLessThan(Date.parse(until!));
      expect(deletions.map((d) => d.name).sort()).toEqual([...stuck].sort());
      expect(deletions.every((d) => d.spot && d.phase === "Pending")).toBe(true);

      // Spot capacity is back; after the window the rebalancer moves the excess back to spot.
      await setSpotNodesSchedulable(ns.kc, true);
      await waitForWebhookActive(ns.kc, ns.name, second.healthURL);
      await eventually(
        async () => {
          const split = await podSplit(ns.kc, ns.name, app);
          expect({ spot: split.spot, onDemand: split.onDemand, running: split.running }).toEqual({
            spot: SPOT,
            onDemand: ON_DEMAND,
            running: REPLICAS,
          });
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      // Settled: no further eviction.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const rebalanced = deletions.slice(SPOT);
      expect(rebalanced).toHaveLength(SPOT);
      for (const d of rebalanced) {
        expect(d.spot, `${d.name} was on-demand`).toBe(false);
        expect(d.at).toBeGreaterThanOrEqual(Date.parse(until!));
      }
      // Stabilization period 2 s: never two evictions of this owner at once.
      for (let i = 1; i < rebalanced.length; i++)
        expect(rebalanced[i]!.at - rebalanced[i - 1]!.at).toBeGreaterThanOrEqual(1_500);

      // The traces: one fallback Event per eviction at most (the dead process may not have sent
      // its last ones), every rebalancing eviction recorded, and an audit row per eviction but
      // at most the one in flight at the kill.
      const events = (await spotEvents(ns.kc, ns.name)).filter((e) =>
        e.regarding?.name?.startsWith(`${app}-`),
      );
      const fallbackEvents = events.filter((e) => e.reason === SPOT_EVENT_REASONS.fallbackEviction);
      expect(fallbackEvents.length).toBeGreaterThanOrEqual(SPOT - evictedBeforeRestart);
      expect(fallbackEvents.length).toBeLessThanOrEqual(SPOT);
      const rebalancing = events.filter((e) => e.reason === SPOT_EVENT_REASONS.rebalancingEviction);
      expect(rebalancing).toHaveLength(SPOT);
      for (const e of rebalancing) expect(eventTime(e)).toBeGreaterThanOrEqual(Date.parse(until!));
      const audits = await s.db.auditEvent.findMany({
        where: { action: "spot.pod-evicted", target: `${ns.name}/${app}` },
      });
      const byLoop = (loop: string) =>
        audits.filter((a) => (JSON.parse(a.details) as { loop: string }).loop === loop).length;
      expect(byLoop("fallback")).toBeGreaterThanOrEqual(SPOT - 1);
      expect(byLoop("fallback")).toBeLessThanOrEqual(SPOT);
      expect(byLoop("rebalance")).toBe(SPOT);
      await second.proc.stop();
    } finally {
      stopWatch();
    }
  });
});
