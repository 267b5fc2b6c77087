// Proves the local control plane is the real thing: controllers, scheduler and kwok move a
// Deployment to Running pods; the APIs fleetdeck relies on round-trip; RBAC is enforced.
import { describe, expect, it } from "vitest";
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  EventsV1Api,
  RbacAuthorizationV1Api,
  V1MicroTime,
} from "@kubernetes/client-node";
import { eventually, statusOf, tokenKubeConfig, testNamespace } from "./harness";

const ns = testNamespace("control-plane");

describe("local control plane", () => {
  it("runs a Deployment of 3 replicas as 3 Running pods on kwok nodes", async () => {
    const apps = ns.kc.makeApiClient(AppsV1Api);
    const core = ns.kc.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "registry.example.com/web:1" }] },
          },
        },
      },
    });
    const pods = await eventually(async () => {
      const list = await core.listNamespacedPod({ namespace: ns.name, labelSelector: "app=web" });
      const running = list.items.filter((p) => p.status?.phase === "Running");
      expect(running).toHaveLength(3);
      return running;
    });
    const nodes = await core.listNode();
    const kwokNodes = new Set(
      nodes.items
        .filter((n) => n.metadata?.annotations?.["kwok.x-k8s.io/node"] === "fake")
        .map((n) => n.metadata!.name),
    );
    for (const pod of pods) expect(kwokNodes.has(pod.spec?.nodeName ?? "")).toBe(true);
    // Unlabelled pods cannot land on the tainted spot nodes.
    for (const pod of pods) expect(pod.spec?.nodeName).toMatch(/^kwok-on-demand-/);
    const deployment = await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ name: "web", namespace: ns.name });
      expect(d.status?.readyReplicas).toBe(3);
      return d;
    });
    expect(deployment.status?.availableReplicas).toBe(3);
  });

  it("round-trips a ControllerRevision", async () => {
    const apps = ns.kc.makeApiClient(AppsV1Api);
    const data = { spec: { global: { site: "datadoghq.eu" } } };
    await apps.createNamespacedControllerRevision({
      namespace: ns.name,
      body: { metadata: { name: "agent-0123456789" }, revision: 1, data },
    });
    const read = await apps.readNamespacedControllerRevision({
      name: "agent-0123456789",
      namespace: ns.name,
    });
    expect(read.revision).toBe(1);
    expect(read.data).toEqual(data);
  });

  it("round-trips an events.k8s.io/v1 Event with a microsecond eventTime", async () => {
    const events = ns.kc.makeApiClient(EventsV1Api);
    const eventTime = new V1MicroTime();
    await events.createNamespacedEvent({
      namespace: ns.name,
      body: {
        metadata: { name: "probe.1" },
        eventTime,
        reason: "Probe",
        note: "control plane check",
        type: "Normal",
        action: "Check",
        reportingController: "fleetdeck.dev/test",
        reportingInstance: "test-1",
        regarding: { kind: "ConfigMap", name: "probe", namespace: ns.name, apiVersion: "v1" },
      },
    });
    const read = await events.readNamespacedEvent({ name: "probe.1", namespace: ns.name });
    expect(read.reason).toBe("Probe");
    expect(read.reportingController).toBe("fleetdeck.dev/test");
    expect(new Date(read.eventTime as unknown as string).getTime()).toBeCloseTo(eventTime.getTime(), -1);
  });

  it("round-trips a Lease and rejects a stale resourceVersion", async () => {
    const coordination = ns.kc.makeApiClient(CoordinationV1Api);
    const created = await coordination.createNamespacedLease({
      namespace: ns.name,
      body: { metadata: { name: "probe" }, spec: { holderIdentity: "a", leaseDurationSeconds: 15 } },
    });
    const updated = await coordination.replaceNamespacedLease({
      name: "probe",
      namespace: ns.name,
      body: { ...created, spec: { ...created.spec, holderIdentity: "b" } },
    });
    expect(updated.spec?.holderIdentity).toBe("b");
    // Writing with the old resourceVersion must conflict: leader election depends on it.
    const stale = coordination.replaceNamespacedLease({
      name: "probe",
      namespace: ns.name,
      body: { ...created, spec: { ...created.spec, holderIdentity: "c" } },
    });
    expect(await statusOf(stale)).toBe(409);
  });

  it("answers SelfSubjectAccessReviews and enforces RBAC for a narrow ServiceAccount", async () => {
    const core = ns.kc.makeApiClient(CoreV1Api);
    const rbac = ns.kc.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: "narrow" } } });
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: "pod-reader" },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.name,
      body: {
        metadata: { name: "narrow-pod-reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
        subjects: [{ kind: "ServiceAccount", name: "narrow", namespace: ns.name }],
      },
    });
    const token = await core.createNamespacedServiceAccountToken({
      name: "narrow",
      namespace: ns.name,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const sa = tokenKubeConfig(ns.kc, token.status!.token);

    const review = async (verb: string, resource: string, namespace?: string) =>
      (
        await sa.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { verb, resource, namespace } } },
        })
      ).status?.allowed;
    expect(await review("list", "pods", ns.name)).toBe(true);
    expect(await review("list", "secrets", ns.name)).toBe(false);
    expect(await review("list", "pods", "kube-system")).toBe(false);
    expect(await review("watch", "pods")).toBe(false);

    const saCore = sa.makeApiClient(CoreV1Api);
    expect(await statusOf(saCore.listNamespacedPod({ namespace: ns.name }))).toBe(200);
    expect(await statusOf(saCore.listNamespacedSecret({ namespace: ns.name }))).toBe(403);
    expect(await statusOf(saCore.listNamespacedPod({ namespace: "kube-system" }))).toBe(403);
    expect(await statusOf(saCore.deleteNamespacedPod({ name: "anything", namespace: ns.name }))).toBe(403);
  });
});
