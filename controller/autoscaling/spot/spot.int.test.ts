// Spot scheduling end to end on the real local cluster: a spot-enabled controller process, its
// webhook called by the real API server, the real scheduler placing pods on the kwok nodes (the
// spot ones tainted, so only spot-assigned pods land there), real evictions and PDBs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { insertCommand } from "../../../lib/db/commands";
import type { Database } from "../../../lib/db/open";
import { SPOT_DISABLED_UNTIL_ANNOTATION, SPOT_ENABLED_LABEL, SPOT_EVENT_REASONS } from "../../../lib/spot";
import { launchController, type TestController } from "../../../testing/controllers";
import { createTestDatabase } from "../../../testing/database";
import {
  controllerKubeconfigFile,
  createNamespace,
  eventually,
  testNamespace,
  testWebhookAuthEnv,
  testWebhookClientToken,
} from "../../../test/harness";
import {
  deleteWebhookConfiguration,
  patchDeployment,
  scrapeMetric,
  spotControllerEnv,
  spotDeployment,
  waitForWebhookActive,
  INSTALLED_WEBHOOK_NAME,
  postToWebhook,
} from "../../../test/spot";
import { eventTime, podSplit, setSpotNodesSchedulable, spotEvents } from "../../../testing/spot-cluster";

const ns = testNamespace("spot");
const kc = ns.kc;
const apps = kc.makeApiClient(AppsV1Api);
const core = kc.makeApiClient(CoreV1Api);
const webhookName = INSTALLED_WEBHOOK_NAME;
let controllerNamespace = "";
let controller: TestController;
let db: Database;

async function create(
  name: string,
  replicas: number,
  config?: { percentage?: number; minOnDemandReplicas?: number },
) {
  await apps.createNamespacedDeployment({
    namespace: ns.name,
    body: spotDeployment(ns.name, name, replicas, config),
  });
}

async function webhookPort(): Promise<number> {
  const res = await fetch(`${controller.healthURL}/readyz?verbose`);
  const body = (await res.json()) as { details: { spot: { webhookPort: number } } };
  return body.details.spot.webhookPort;
}

async function webhookCa(): Promise<string> {
  const secret = await core.readNamespacedSecret({
    name: "fleetdeck-spot-webhook-cert",
    namespace: controllerNamespace,
  });
  return Buffer.from(secret.data!["ca.crt"]!, "base64").toString("utf8");
}

/**
 * POSTs to the webhook over HTTPS, verifying its certificate against the CA in the Secret, with
 * the token the API server presents (the webhook answers only it).
 */
async function postWebhook(
  body: string | Buffer,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const [port, ca] = await Promise.all([webhookPort(), webhookCa()]);
  const { status, text } = await postToWebhook({ port, ca, body, headers, token: testWebhookClientToken() });
  return { status, json: JSON.parse(text) as Record<string, unknown> };
}

function review(pod: object) {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "e5d6c1a0-0000-4000-8000-000000000001",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      namespace: ns.name,
      operation: "CREATE",
      object: pod,
    },
  });
}

beforeAll(async () => {
  controllerNamespace = await createNamespace(kc, "spot-ctl");
  const database = await createTestDatabase("spot");
  db = database.db;
  controller = await launchController({
    id: "spot-it",
    kubeconfig: controllerKubeconfigFile(),
    databaseUrl: database.url,
    namespace: controllerNamespace,
    env: await spotControllerEnv(webhookName, testWebhookAuthEnv()),
  });
  await waitForWebhookActive(kc, ns.name, controller.healthURL);
}, 120_000);

afterAll(async () => {
  await setSpotNodesSchedulable(kc, true);
  await controller?.proc.stop();
  await deleteWebhookConfiguration(kc, webhookName);
  if (controllerNamespace) await core.deleteNamespace({ name: controllerNamespace }).catch(() => undefined);
  await db?.$disconnect();
});

describe("spot scheduling", () => {
  it("places 10 replicas at 60 %, min 2, as 6 spot / 4 on-demand, and 3 / 2 after scaling to 5", async () => {
    await create("web", 10, { percentage: 60, minOnDemandReplicas: 2 });
    const split = await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "web");
        expect({ spot: s.spot, onDemand: s.onDemand, running: s.running }).toEqual({
          spot: 6,
          onDemand: 4,
          running: 10,
        });
        return s;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    // Spot pods carry the nodeSelector and toleration and run on spot nodes; the others were not touched.
    for (const pod of split.pods) {
      const spot = pod.metadata?.labels?.["autoscaling.datadoghq.com/spot-assigned"] === "true";
      expect(
        pod.spec?.nodeName?.startsWith(spot ? "kwok-spot-" : "kwok-on-demand-"),
        pod.metadata?.name,
      ).toBe(true);
      expect(pod.spec?.nodeSelector?.["autoscaling.datadoghq.com/capacity-type"]).toBe(
        spot ? "interruptible" : undefined,
      );
      expect(
        pod.spec?.tolerations?.some((t) => t.key === "autoscaling.datadoghq.com/capacity-type") ?? false,
      ).toBe(spot);
    }

    await patchDeployment(kc, ns.name, "web", { spec: { replicas: 5 } });
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "web");
        expect({ spot: s.spot, onDemand: s.onDemand, running: s.running }).toEqual({
          spot: 3,
          onDemand: 2,
          running: 5,
        });
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    );
    // Settled: the rebalancer leaves the target split alone.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const settled = await podSplit(kc, ns.name, "web");
    expect({ spot: settled.spot, onDemand: settled.onDemand }).toEqual({ spot: 3, onDemand: 2 });

    // The read model the dashboard shows.
    await eventually(async () => {
      const row = await db.spotWorkload.findFirstOrThrow({ where: { key: `Deployment/${ns.name}/web` } });
      expect(row).toMatchObject({
        spotPods: 3,
        onDemandPods: 2,
        targetSpot: 3,
        targetOnDemand: 2,
        percentage: 60,
        minOnDemand: 2,
      });
    });
  }, 90_000);

  it("falls back to on-demand when spot pods stay Pending, then rebalances back to the split after the window", async () => {
    await setSpotNodesSchedulable(kc, false);
    await create("fallback", 5, { percentage: 60, minOnDemandReplicas: 2 });
    // schedule_timeout is 3 s: the 3 spot pods cannot be scheduled, so the workload falls back.
    const fallbackEvents = await eventually(
      async () => {
        const events = (await spotEvents(kc, ns.name)).filter(
          (e) => e.regarding?.name === "fallback" || e.regarding?.name?.startsWith("fallback-"),
        );
        expect(events.filter((e) => e.reason === SPOT_EVENT_REASONS.fallbackEviction)).toHaveLength(3);
        return events;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const [disabled, ...evictions] = fallbackEvents;
    expect(disabled).toMatchObject({
      reason: "SpotSchedulingDisabled",
      type: "Warning",
      regarding: { kind: "Deployment", name: "fallback" },
      reportingController: "datadog-cluster-autoscaler",
    });
    const until = /^Disabled spot scheduling until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(
      disabled!.note ?? "",
    )?.[1];
    expect(until, disabled!.note).toBeDefined();
    const deployment = await apps.readNamespacedDeployment({ name: "fallback", namespace: ns.name });
    expect(deployment.metadata?.annotations?.[SPOT_DISABLED_UNTIL_ANNOTATION]).toBe(until);
    for (const e of evictions) {
      expect(e).toMatchObject({
        reason: "SpotFallbackEviction",
        type: "Warning",
        regarding: { kind: "Pod" },
        note: "Evicted timed-out pending spot pod for on-demand fallback",
      });
      expect(eventTime(e)).toBeGreaterThan(eventTime(disabled!));
    }

    // The replacements are admitted on-demand while spot is disabled, and run.
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "fallback");
        expect({ spot: s.spot, onDemand: s.onDemand, running: s.running }).toEqual({
          spot: 0,
          onDemand: 5,
          running: 5,
        });
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    // Spot capacity is back; after the 15 s window the rebalancer moves the excess back to spot.
    await setSpotNodesSchedulable(kc, true);
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "fallback");
        expect({ spot: s.spot, onDemand: s.onDemand, running: s.running }).toEqual({
          spot: 3,
          onDemand: 2,
          running: 5,
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const rebalancing = (await spotEvents(kc, ns.name)).filter(
      (e) =>
        e.reason === SPOT_EVENT_REASONS.rebalancingEviction && e.regarding?.name?.startsWith("fallback-"),
    );
    expect(rebalancing).toHaveLength(3);
    for (const e of rebalancing) {
      expect(e.note).toBe("Evicted on-demand pod for rebalancing");
      expect(eventTime(e)).toBeGreaterThanOrEqual(Date.parse(until!));
    }
  }, 150_000);

  it("retries an eviction a PodDisruptionBudget refuses on later ticks, without crashing", async () => {
    await create("guarded", 4, { percentage: 100, minOnDemandReplicas: 0 });
    await eventually(async () => expect((await podSplit(kc, ns.name, "guarded")).running).toBe(4), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    expect((await podSplit(kc, ns.name, "guarded")).spot).toBe(4);
    const policy = kc.makeApiClient(PolicyV1Api);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: ns.name,
      body: {
        metadata: { name: "guarded" },
        spec: { minAvailable: 4, selector: { matchLabels: { app: "guarded" } } },
      },
    });
    await eventually(async () => {
      const pdb = await policy.readNamespacedPodDisruptionBudget({ name: "guarded", namespace: ns.name });
      expect(pdb.status?.currentHealthy).toBe(4);
      expect(pdb.status?.disruptionsAllowed).toBe(0);
    });

    const refusedBefore = await scrapeMetric(controller.healthURL, "fleetdeck_spot_eviction_refusals_total");
    // Now every spot pod is in excess, but the budget allows no disruption.
    await patchDeployment(kc, ns.name, "guarded", {
      metadata: { annotations: { "autoscaling.datadoghq.com/spot-config": '{"percentage":0}' } },
    });
    await eventually(
      async () =>
        expect(
          await scrapeMetric(controller.healthURL, "fleetdeck_spot_eviction_refusals_total"),
        ).toBeGreaterThanOrEqual(refusedBefore + 3),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect((await podSplit(kc, ns.name, "guarded")).spot).toBe(4);
    expect((await fetch(`${controller.healthURL}/healthz`)).status).toBe(200);
    expect(controller.proc.child.exitCode).toBeNull();

    // Once the budget goes, the retries go through.
    await policy.deleteNamespacedPodDisruptionBudget({ name: "guarded", namespace: ns.name });
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "guarded");
        expect({ spot: s.spot, onDemand: s.onDemand, running: s.running }).toEqual({
          spot: 0,
          onDemand: 4,
          running: 4,
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  }, 150_000);

  it("moves an opted-out workload's spot pods back to on-demand, one per stabilization period", async () => {
    await create("leaving", 4, { percentage: 100, minOnDemandReplicas: 0 });
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "leaving");
        expect({ spot: s.spot, running: s.running }).toEqual({ spot: 4, running: 4 });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    await patchDeployment(kc, ns.name, "leaving", { metadata: { labels: { [SPOT_ENABLED_LABEL]: null } } });
    await eventually(
      async () => {
        const s = await podSplit(kc, ns.name, "leaving");
        expect({ spot: s.spot, onDemand: s.onDemand, running: s.running }).toEqual({
          spot: 0,
          onDemand: 4,
          running: 4,
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const evictions = (await spotEvents(kc, ns.name)).filter(
      (e) => e.reason === SPOT_EVENT_REASONS.rebalancingEviction && e.regarding?.name?.startsWith("leaving-"),
    );
    expect(evictions).toHaveLength(4);
    for (let i = 1; i < evictions.length; i++) {
      // Gradual: at least the 2 s stabilization period between two evictions (1.5 s of margin
      // for the clock reading of the event times).
      expect(eventTime(evictions[i]!) - eventTime(evictions[i - 1]!)).toBeGreaterThanOrEqual(1_500);
    }
    // The opted-out workload leaves the read model once nothing is left to move.
    await eventually(async () =>
      expect(await db.spotWorkload.findFirst({ where: { key: `Deployment/${ns.name}/leaving` } })).toBeNull(),
    );
  }, 120_000);

  it("answers malformed and oversized AdmissionReviews with 400 and a message, and keeps serving", async () => {
    const notJson = await postWebhook("{not json");
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/malformed AdmissionReview: the body is not JSON/);

    const wrongShape = await postWebhook(JSON.stringify({ kind: "AdmissionReview" }));
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.json.error).toMatch(/apiVersion must be "admission\.k8s\.io\/v1"/);

    const noUid = await postWebhook(
      JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: 7 } }),
    );
    expect(noUid.status).toBe(400);
    expect(noUid.json.error).toMatch(/request\.uid/);

    const oversized = await postWebhook(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect(oversized.status).toBe(400);
    expect(oversized.json.error).toMatch(/body exceeds 3145728 bytes/);

    const wrongType = await postWebhook("{}", { "content-type": "text/plain" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error).toMatch(/expected Content-Type application\/json/);

    // Still serving: a pod whose owner is unknown is allowed unchanged...
    const bare = await postWebhook(
      review({ metadata: { name: "bare" }, spec: { containers: [{ name: "c", image: "x" }] } }),
    );
    expect(bare.status).toBe(200);
    expect(bare.json.response).toEqual({ uid: "e5d6c1a0-0000-4000-8000-000000000001", allowed: true });
    // ...and real pods are still placed.
    await create("after", 2, { percentage: 100 });
    await eventually(async () => expect((await podSplit(kc, ns.name, "after")).spot).toBe(2), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    expect(controller.proc.child.exitCode).toBeNull();
  }, 60_000);

  it("puts the webhook configuration back when it is edited", async () => {
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    const before = await api.readMutatingWebhookConfiguration({ name: webhookName });
    const webhook = before.webhooks![0]!;
    expect(webhook).toMatchObject({
      failurePolicy: "Ignore",
      timeoutSeconds: 3,
      sideEffects: "None",
      rules: [{ operations: ["CREATE"], resources: ["pods"], apiGroups: [""], apiVersions: ["v1"] }],
      namespaceSelector: {
        matchExpressions: [
          {
            key: "kubernetes.io/metadata.name",
            operator: "NotIn",
            values: [controllerNamespace, "kube-system"].sort(),
          },
        ],
      },
    });
    expect(webhook.clientConfig.url).toBe(`https://127.0.0.1:${await webhookPort()}/mutate`);
    expect(Buffer.from(webhook.clientConfig.caBundle!, "base64").toString("utf8")).toBe(await webhookCa());

    await api.patchMutatingWebhookConfiguration(
      {
        name: webhookName,
        body: [
          { op: "replace", path: "/webhooks/0/timeoutSeconds", value: 25 },
          {
            op: "replace",
            path: "/webhooks/0/clientConfig/caBundle",
            value: Buffer.from("garbage").toString("base64"),
          },
        ],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    await eventually(async () => {
      const after = (await api.readMutatingWebhookConfiguration({ name: webhookName })).webhooks![0]!;
      expect(after.timeoutSeconds).toBe(3);
      expect(after.clientConfig.caBundle).toBe(webhook.clientConfig.caBundle);
    });
  });

  it("applies disable-spot and enable-spot commands to the workload's annotation", async () => {
    const command = async (
      kind: "enable-spot" | "disable-spot",
      payload: object,
      target = `${ns.name}/web`,
    ) => {
      const { id: clusterId } = await db.cluster.findFirstOrThrow();
      const inserted = await insertCommand(db, {
        clusterId,
        kind,
        target,
        payload,
        actor: "tester",
        source: "dashboard",
      });
      if (!inserted.ok) throw new Error(inserted.error);
      return eventually(async () => {
        const c = await db.command.findUniqueOrThrow({ where: { id: inserted.commandId } });
        expect(["applied", "ignored", "rejected"]).toContain(c.status);
        return c;
      });
    };
    const annotation = async () =>
      (await apps.readNamespacedDeployment({ name: "web", namespace: ns.name })).metadata?.annotations?.[
        SPOT_DISABLED_UNTIL_ANNOTATION
      ];

    const requestedAt = Date.now();
    const disabled = await command("disable-spot", { kind: "Deployment", minutes: 5 });
    expect(disabled.status).toBe("applied");
    expect(disabled.message).toMatch(
      /^spot scheduling disabled for Deployment .*\/web until \d{4}-.*Z \(5 min\)/,
    );
    const until = Date.parse((await annotation())!);
    expect(until).toBeGreaterThanOrEqual(requestedAt + 5 * 60_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + 1000);
    await eventually(async () => {
      const row = await db.spotWorkload.findFirstOrThrow({ where: { key: `Deployment/${ns.name}/web` } });
      expect(row.disabledUntil?.getTime()).toBe(until);
    });

    const enabled = await command("enable-spot", { kind: "Deployment" });
    expect(enabled.status).toBe("applied");
    expect(enabled.message).toMatch(/spot scheduling re-enabled for Deployment .*\/web \(was disabled until/);
    expect(await annotation()).toBeUndefined();
    expect((await command("enable-spot", { kind: "Deployment" })).status).toBe("ignored");

    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: { ...spotDeployment(ns.name, "plain", 0), metadata: { name: "plain", namespace: ns.name } },
    });
    const rejected = await command("disable-spot", { kind: "Deployment", minutes: 1 }, `${ns.name}/plain`);
    expect(rejected.status).toBe("rejected");
    expect(rejected.message).toMatch(/is not opted in to spot scheduling/);
    const missing = await command("enable-spot", { kind: "StatefulSet" }, `${ns.name}/nope`);
    expect(missing.status).toBe("rejected");
    expect(missing.message).toMatch(/StatefulSet .*\/nope not found/);

    const audit = await db.auditEvent.findMany({ where: { commandId: disabled.id } });
    expect(audit.map((a) => a.action).sort()).toEqual(["command.applied", "command.requested"]);
  });
});
