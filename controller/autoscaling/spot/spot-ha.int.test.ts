// Spot scheduling with several controller processes, and with none: only the leader evicts
// (both serve the webhook); with every controller stopped the registered webhook fails and,
// failurePolicy Ignore, pods are created unchanged, i.e. on-demand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { launchController, type TestController } from "../../../testing/controllers";
import { createTestDatabase } from "../../../testing/database";
import {
  controllerKubeconfigFile,
  createNamespace,
  eventually,
  testNamespace,
  testWebhookAuthEnv,
} from "../../../test/harness";
import {
  deleteWebhookConfiguration,
  patchDeployment,
  scrapeMetric,
  spotControllerEnv,
  spotDeployment,
  INSTALLED_WEBHOOK_NAME,
} from "../../../test/spot";
import { podSplit, spotEvents } from "../../../testing/spot-cluster";

const ns = testNamespace("spot-ha");
const kc = ns.kc;
const apps = kc.makeApiClient(AppsV1Api);
const webhookName = INSTALLED_WEBHOOK_NAME;
let controllerNamespace = "";
let controllers: TestController[] = [];

beforeAll(async () => {
  controllerNamespace = await createNamespace(kc, "spot-ha-ctl");
  const { url, db } = await createTestDatabase("spot-ha");
  await db.$disconnect();
  const common = {
    kubeconfig: controllerKubeconfigFile(),
    databaseUrl: url,
    namespace: controllerNamespace,
  };
  controllers = await Promise.all(
    ["spot-ha-a", "spot-ha-b"].map(async (id) =>
      launchController({ ...common, id, env: await spotControllerEnv(webhookName, testWebhookAuthEnv()) }),
    ),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(controllers.map((c) => c.proc.stop()));
  await deleteWebhookConfiguration(kc, webhookName);
  if (controllerNamespace)
    await kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: controllerNamespace })
      .catch(() => undefined);
});

describe("spot scheduling with two controllers, then none", () => {
  it("lets only the leader evict, while both serve the webhook", async () => {
    const [a, b] = controllers as [TestController, TestController];
    const { leader, standby } = await eventually(async () => {
      const [la, lb] = await Promise.all([a.isLeader(), b.isLeader()]);
      expect(la !== lb, "exactly one leader").toBe(true);
      return la ? { leader: a, standby: b } : { leader: b, standby: a };
    });
    // The leader registers the webhook at its own address.
    await eventually(async () => {
      const config = await kc
        .makeApiClient(AdmissionregistrationV1Api)
        .readMutatingWebhookConfiguration({ name: webhookName });
      const port = new URL(config.webhooks![0]!.clientConfig.url!).port;
      const details = (await (await fetch(`${leader.healthURL}/readyz?verbose`)).json()) as {
        details: { spot: { webhookPort: number } };
      };
      expect(Number(port)).toBe(details.details.spot.webhookPort);
    });

    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: spotDeployment(ns.name, "shared", 4, { percentage: 100 }),
    });
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "shared");
        expect({ spot: s.spot, running: s.running }).toEqual({ spot: 4, running: 4 });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    await patchDeployment(kc, ns.name, "shared", {
      metadata: { annotations: { "autoscaling.datadoghq.com/spot-config": '{"percentage":50}' } },
    });
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "shared");
        expect({ spot: s.spot, onDemand: s.onDemand, running: s.running }).toEqual({
          spot: 2,
          onDemand: 2,
          running: 4,
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const evictions = (await spotEvents(kc, ns.name)).filter((e) => e.reason === "SpotRebalancingEviction");
    expect(evictions).toHaveLength(2);
    expect(new Set(evictions.map((e) => e.reportingInstance))).toEqual(new Set([leader.id]));
    const evicted = (c: TestController) =>
      scrapeMetric(c.healthURL, "fleetdeck_spot_rebalance_evictions_total");
    expect(await evicted(leader)).toBe(2);
    expect(await evicted(standby)).toBe(0);
    // The standby's webhook is up too (it would serve in Service mode).
    const standbyReady = (await (await fetch(`${standby.healthURL}/readyz?verbose`)).json()) as {
      checks: { name: string; ok: boolean }[];
    };
    expect(standbyReady.checks.find((c) => c.name === "spot-webhook")?.ok).toBe(true);
  }, 120_000);

  it("still creates pods, on-demand, while no controller runs", async () => {
    await Promise.all(controllers.map((c) => c.proc.stop()));
    // The registration stays behind, pointing at a controller that is gone.
    const config = await kc
      .makeApiClient(AdmissionregistrationV1Api)
      .readMutatingWebhookConfiguration({ name: webhookName });
    expect(config.webhooks![0]!.failurePolicy).toBe("Ignore");

    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: spotDeployment(ns.name, "unattended", 3, { percentage: 100 }),
    });
    const s = await eventually(
      async () => {
        const split = await podSplit(kc, ns.name, "unattended");
        expect({ spot: split.spot, onDemand: split.onDemand, running: split.running }).toEqual({
          spot: 0,
          onDemand: 3,
          running: 3,
        });
        return split;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    for (const pod of s.pods) {
      expect(pod.spec?.nodeSelector).toBeUndefined();
      expect(pod.spec?.nodeName).toMatch(/^kwok-on-demand-/);
    }
  }, 60_000);
});
