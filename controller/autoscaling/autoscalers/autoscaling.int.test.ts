// Workload autoscaling on the real local cluster: a controller with DD_AUTOSCALING_WORKLOAD_ENABLED
// and spot scheduling off. The API server's audit log (config/cluster/audit-policy.yaml), not
// the controller, says whether it listed or watched pods; the controller's requests carry
// `fleetdeck-controller/<version> (...) <id>` as User-Agent, which kube-controller-manager's
// (same admin user) do not.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import type { Database } from "../../../lib/db/open";
import { PROFILE_LABEL } from "../../../lib/autoscaling";
import {
  auditedPodRequests,
  clusterWide,
  autoscalerBody,
  autoscalerStatus,
  condition,
  CONTROLLER_USER_AGENT,
  createAutoscaler,
  deleteAllAutoscalers,
  listAutoscalers,
  readyz,
} from "../../../test/autoscaling";
import { launchController, type TestController } from "../../../testing/controllers";
import { createTestDatabase } from "../../../testing/database";
import {
  controllerKubeconfigFile,
  createNamespace,
  eventually,
  testClusterDir,
  testNamespace,
  tokenKubeConfig,
  uniqueName,
} from "../../../test/harness";
import { scrapeMetric } from "../../../test/spot";

const ns = testNamespace("gate");
const kc = ns.kc;
const custom = kc.makeApiClient(CustomObjectsApi);
const clusterDir = testClusterDir();
const controllerId = uniqueName("gate-it");
const profileName = uniqueName("gate-profile");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let controller: TestController;
let db: Database;
let dbUrl = "";
let startedAt: Date;
const extraControllers: TestController[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

const workloadEnv = { DD_AUTOSCALING_WORKLOAD_ENABLED: "true", FLEETDECK_AUTOSCALER_RESYNC: "1s" };
const ours = (since: Date, id = controllerId) =>
  auditedPodRequests(clusterDir!, since).filter((r) => r.userAgent.includes(` ${id}`) && clusterWide(r));

// The audit log is the local cluster's; against an external cluster these tests cannot judge.
describe.skipIf(!clusterDir)("lazy autoscaling gate and autoscaler status", () => {
  beforeAll(async () => {
    // The gate is cluster-wide: leftovers of other test files (crds.int.test.ts applies the
    // samples) would open it at once. This is the run's own cluster, so clear them.
    // (Retried: right after the cluster starts, the API server may still be initializing the
    // custom resources' storage.)
    await eventually(async () => {
      await deleteAllAutoscalers(kc);
      expect(await listAutoscalers(kc)).toEqual([]);
    });
    // One pod for the pod cache to cache once the gate opens.
    await kc.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: ns.name,
      body: {
        metadata: { name: "cached" },
        spec: { containers: [{ name: "c", image: "registry.example/app:1" }] },
      },
    });
    const database = await createTestDatabase("gate");
    db = database.db;
    dbUrl = database.url;
    startedAt = new Date();
    controller = await launchController({
      id: controllerId,
      kubeconfig: controllerKubeconfigFile(),
      databaseUrl: dbUrl,
      namespace: ns.name,
      env: workloadEnv,
    });
  });

  afterAll(async () => {
    await Promise.all([controller, ...extraControllers].filter(Boolean).map((c) => c.proc.stop()));
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await db?.$disconnect();
  });

  it("makes no pod LIST or WATCH while the gate is closed, and says so in /readyz, metrics and SQLite", async () => {
    const { status, autoscaling } = await readyz(controller.healthURL);
    expect(status).toBe(200);
    expect(autoscaling.workloadEnabled).toBe(true);
    expect(autoscaling.gate).toMatchObject({
      open: false,
      openedAt: null,
      openedBy: null,
      podCollectionSynced: false,
    });
    expect(autoscaling.podStore).toMatchObject({ started: false, podsCached: 0 });
    expect(await scrapeMetric(controller.healthURL, "fleetdeck_autoscaling_gate_open")).toBe(0);
    const row = await eventually(async () => {
      const r = await db.autoscalingGate.findFirst({ where: { controllerId } });
      expect(r).not.toBeNull();
      return r!;
    });
    expect(row).toMatchObject({ workloadEnabled: true, podStoreEager: false, open: false, podsCached: 0 });

    // Ready, and a few seconds more for anything that would list pods to have done so.
    await sleep(3_000);
    expect(ours(startedAt)).toEqual([]);
    // What it does watch meanwhile: the agents' pods only, by their label (agent health).
    const agentPods = await eventually(() => {
      const r = auditedPodRequests(clusterDir!, startedAt).filter(
        (x) => x.userAgent.includes(` ${controllerId}`) && !clusterWide(x),
      );
      expect(r.map((x) => x.verb)).toContain("watch");
      return r;
    });
    expect(new Set(agentPods.map((r) => r.labelSelector))).toEqual(new Set(["fleetdeck.dev/agent-uid"]));
    // The audit log does record pod requests, kube-controller-manager's among them (same
    // admin user), and theirs never carry the controller's User-Agent.
    const all = auditedPodRequests(clusterDir!);
    const kcm = all.filter((r) => r.userAgent.startsWith("kube-controller-manager/"));
    expect(kcm.length).toBeGreaterThan(0);
    expect(kcm.filter((r) => r.userAgent.includes(CONTROLLER_USER_AGENT))).toEqual([]);
  });

  it("opens the gate when an autoscaler is created, starts the pod watch, and stays open when every autoscaler is deleted", async () => {
    await createAutoscaler(kc, ns.name, autoscalerBody("opener", { name: "absent" }));
    const details = await eventually(async () => {
      const { autoscaling } = await readyz(controller.healthURL);
      expect(autoscaling.gate.podCollectionSynced).toBe(true);
      return autoscaling;
    });
    expect(details.gate.open).toBe(true);
    expect(details.gate.openedBy).toMatchObject({
      kind: "DatadogPodAutoscaler",
      namespace: ns.name,
      name: "opener",
    });
    expect(details.podStore.started).toBe(true);
    expect(details.podStore.podsCached).toBeGreaterThanOrEqual(1);
    expect(details.podStore.estimatedBytes).toBeGreaterThan(0);

    // The API server's word: this controller now lists and watches pods.
    const requests = await eventually(() => {
      const r = ours(startedAt);
      expect(r.map((x) => x.verb)).toContain("watch");
      return r;
    });
    expect(requests.map((r) => r.verb)).toContain("list");
    expect(requests.every((r) => r.userAgent.startsWith(CONTROLLER_USER_AGENT))).toBe(true);

    expect(await scrapeMetric(controller.healthURL, "fleetdeck_autoscaling_gate_open")).toBe(1);
    expect(
      await scrapeMetric(controller.healthURL, "fleetdeck_autoscaling_pods_cached"),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await scrapeMetric(controller.healthURL, "fleetdeck_autoscaling_gate_opened_timestamp_seconds"),
    ).toBeGreaterThan(startedAt.getTime() / 1000);
    const row = await eventually(async () => {
      const r = await db.autoscalingGate.findFirst({ where: { controllerId } });
      expect(r?.podCollectionSyncedAt).not.toBeNull();
      return r!;
    });
    expect(row).toMatchObject({
      open: true,
      openedByKind: "DatadogPodAutoscaler",
      openedByName: `${ns.name}/opener`,
    });
    expect(row.podsCached).toBeGreaterThanOrEqual(1);
    expect(await db.change.count({ where: { topic: "autoscaling", key: "gate" } })).toBeGreaterThanOrEqual(2);
    const audit = await eventually(async () => {
      const a = await db.auditEvent.findFirst({ where: { action: "autoscaling.gate-opened" } });
      expect(a).not.toBeNull();
      return a!;
    });
    expect(audit).toMatchObject({ targetKind: "DatadogPodAutoscaler", target: `${ns.name}/opener` });
    const gateEvent = await eventually(async () => {
      const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns.name });
      const e = events.items.find((x) => x.reason === "AutoscalingGateOpened");
      expect(e).toBeDefined();
      return e!;
    });
    expect(gateEvent.regarding?.name).toBe("opener");

    // Deleting every autoscaler does not close the gate: the pod watch goes on.
    await custom.deleteNamespacedCustomObject({
      group: "datadoghq.com",
      version: "v1alpha2",
      namespace: ns.name,
      plural: "datadogpodautoscalers",
      name: "opener",
    });
    await eventually(async () => expect(await db.podAutoscaler.count()).toBe(0));
    expect(await listAutoscalers(kc)).toEqual([]);
    await sleep(1_500);
    const after = await readyz(controller.healthURL);
    expect(after.status).toBe(200);
    expect(after.autoscaling.gate).toMatchObject({ open: true, podCollectionSynced: true });
    expect(after.autoscaling.podStore.podsCached).toBeGreaterThanOrEqual(1);
    expect(await scrapeMetric(controller.healthURL, "fleetdeck_autoscaling_gate_open")).toBe(1);
  });

  it("puts Error (TargetNotFound) on an autoscaler whose target does not exist, and clears it once the target exists", async () => {
    await createAutoscaler(
      kc,
      ns.name,
      autoscalerBody("web", { name: "web" }, { constraints: { minReplicas: 1, maxReplicas: 4 } }),
    );
    const failing = await eventually(async () => {
      const s = await autoscalerStatus(kc, ns.name, "web");
      expect(condition(s, "Error")?.status).toBe("True");
      return s;
    });
    expect(condition(failing, "Error")).toMatchObject({
      reason: "TargetNotFound",
      message: `Deployment ${ns.name}/web does not exist`,
    });
    expect(condition(failing, "Active")).toMatchObject({ status: "False", reason: "TargetNotFound" });
    expect(failing.currentReplicas).toBeUndefined();
    await eventually(async () => {
      const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns.name });
      expect(
        events.items.some(
          (e) => e.reason === "TargetNotFound" && e.regarding?.name === "web" && e.type === "Warning",
        ),
      ).toBe(true);
    });

    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "registry.example/web:1" }] },
          },
        },
      },
    });
    const fixed = await eventually(
      async () => {
        const s = await autoscalerStatus(kc, ns.name, "web");
        expect(condition(s, "Error")?.status).toBe("False");
        expect(s.currentReplicas).toBe(2);
        return s;
      },
      { timeoutMs: 30_000 },
    );
    expect(condition(fixed, "Active")).toMatchObject({ status: "True", reason: "TargetResolved" });

    const row = await eventually(async () => {
      const r = await db.podAutoscaler.findFirst({ where: { key: `${ns.name}/web` } });
      expect(r?.currentReplicas).toBe(2);
      return r!;
    });
    expect(row).toMatchObject({
      targetKind: "Deployment",
      targetName: "web",
      mode: "Apply",
      owner: "Local",
      minReplicas: 1,
      maxReplicas: 4,
    });
    expect(JSON.parse(row.conditions)).toContainEqual(
      expect.objectContaining({ type: "Active", status: "True" }),
    );
    const actions = (
      await db.auditEvent.findMany({ where: { target: `${ns.name}/web` }, orderBy: { id: "asc" } })
    ).map((a) => a.action);
    expect(actions).toEqual(["autoscaler.error", "autoscaler.recovered"]);
  });

  it("puts Error (InvalidSpec) on an autoscaler whose spec cannot work", async () => {
    await createAutoscaler(
      kc,
      ns.name,
      autoscalerBody("inverted", { name: "web" }, { constraints: { minReplicas: 5, maxReplicas: 2 } }),
    );
    await createAutoscaler(
      kc,
      ns.name,
      autoscalerBody("not-scalable", { apiVersion: "v1", kind: "ConfigMap", name: "kube-root-ca.crt" }),
    );
    const inverted = await eventually(async () => {
      const s = await autoscalerStatus(kc, ns.name, "inverted");
      expect(condition(s, "Error")?.status).toBe("True");
      return s;
    });
    expect(condition(inverted, "Error")).toMatchObject({
      reason: "InvalidSpec",
      message: "spec.constraints.minReplicas (5) is greater than spec.constraints.maxReplicas (2)",
    });
    const notScalable = await eventually(async () => {
      const s = await autoscalerStatus(kc, ns.name, "not-scalable");
      expect(condition(s, "Error")?.status).toBe("True");
      return s;
    });
    expect(condition(notScalable, "Error")).toMatchObject({
      reason: "InvalidSpec",
      message: "ConfigMap has no scale subresource, so it cannot be autoscaled",
    });
  });

  it("writes each cluster profile's Valid condition, templateHash and controlledAutoscalers", async () => {
    await custom.createClusterCustomObject({
      group: "datadoghq.com",
      version: "v1alpha2",
      plural: "datadogpodautoscalerclusterprofiles",
      body: {
        apiVersion: "datadoghq.com/v1alpha2",
        kind: "DatadogPodAutoscalerClusterProfile",
        metadata: { name: profileName },
        spec: {
          template: { applyPolicy: { mode: "Preview" }, constraints: { minReplicas: 1, maxReplicas: 3 } },
        },
      },
    });
    cleanups.push(() =>
      custom.deleteClusterCustomObject({
        group: "datadoghq.com",
        version: "v1alpha2",
        plural: "datadogpodautoscalerclusterprofiles",
        name: profileName,
      }),
    );
    await createAutoscaler(
      kc,
      ns.name,
      autoscalerBody("from-profile", { name: "web" }, {}, { [PROFILE_LABEL]: profileName }),
    );
    const status = await eventually(async () => {
      const p = (await custom.getClusterCustomObject({
        group: "datadoghq.com",
        version: "v1alpha2",
        plural: "datadogpodautoscalerclusterprofiles",
        name: profileName,
      })) as {
        status?: { templateHash?: string; controlledAutoscalers?: number; conditions?: { type: string }[] };
      };
      expect(p.status?.controlledAutoscalers).toBe(1);
      return p.status!;
    });
    expect(status.templateHash).toMatch(/^[0-9a-f]{16}$/);
    expect(condition(status as never, "Valid")).toMatchObject({ status: "True", reason: "Valid" });
    const row = await eventually(async () => {
      const r = await db.podAutoscalerProfile.findFirst({ where: { name: profileName } });
      expect(r?.controlledAutoscalers).toBe(1);
      return r!;
    });
    expect(row).toMatchObject({
      mode: "Preview",
      minReplicas: 1,
      maxReplicas: 3,
      templateHash: status.templateHash,
    });
  });

  it("stays ready while the lazily started pod cache cannot sync", async () => {
    // A controller whose identity may do everything it needs except read pods: its gate opens
    // (autoscalers exist), its pod cache starts and can never sync, and /readyz stays 200. It is
    // a standby beside the leader: a leader's agent controllers read pods too, and caches that
    // never sync rightly make those unready; the gate and its pod cache run on every replica.
    const accountNamespace = await createNamespace(kc, "gate-nopods");
    const kubeconfig = await kubeconfigWithoutPodAccess(accountNamespace);
    const id = uniqueName("gate-nopods");
    const other = await launchController({
      id,
      kubeconfig,
      databaseUrl: dbUrl,
      namespace: ns.name,
      env: workloadEnv,
    });
    extraControllers.push(other);
    const details = await eventually(async () => {
      const r = await readyz(other.healthURL);
      expect(r.autoscaling.gate.open).toBe(true);
      return r;
    });
    expect(details.status).toBe(200);
    expect(await other.isLeader()).toBe(false);
    await sleep(3_000);
    const later = await readyz(other.healthURL);
    expect(later.status).toBe(200);
    expect(later.autoscaling.gate.podCollectionSynced).toBe(false);
    expect(later.autoscaling.podStore).toMatchObject({ started: true, synced: false, podsCached: 0 });
    // It did try: the API server refused its pod LIST.
    const refused = ours(startedAt, id);
    expect(refused.map((r) => r.verb)).toContain("list");
  });
});

/** A kubeconfig for a service account that may do everything fleetdeck needs but read pods. */
async function kubeconfigWithoutPodAccess(namespace: string): Promise<string> {
  const name = uniqueName("fleetdeck-nopods");
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createClusterRole({
    body: {
      metadata: { name },
      rules: [
        {
          apiGroups: [""],
          resources: ["namespaces", "events", "configmaps", "secrets", "nodes", "services"],
          verbs: ["*"],
        },
        {
          apiGroups: [
            "apps",
            "coordination.k8s.io",
            "events.k8s.io",
            "datadoghq.com",
            "authorization.k8s.io",
            "admissionregistration.k8s.io",
            "policy",
          ],
          resources: ["*"],
          verbs: ["*"],
        },
      ],
    },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  });
  cleanups.push(
    () => rbac.deleteClusterRoleBinding({ name }),
    () => rbac.deleteClusterRole({ name }),
  );
  const token = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gate-")), "kubeconfig");
  fs.writeFileSync(file, tokenKubeConfig(kc, token.status!.token, name).exportConfig(), { mode: 0o600 });
  return file;
}
