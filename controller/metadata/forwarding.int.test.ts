// Metadata forwarding against the real API server, a real SQLite file and the fake intake.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CoreV1Api,
  EventsV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubeConfig,
} from "@kubernetes/client-node";
import type { Database } from "../../lib/db/open";
import { createTestDatabase } from "../../testing/database";
import { startFakeIntake, type FakeIntake } from "../../testing/fakeintake/server";
import { TEST_SECRETS } from "../../test/secrets";
import {
  controllerKubeConfig,
  createNamespace,
  eventually,
  testNamespace,
  tokenKubeConfig,
  uniqueName,
} from "../../test/harness";
import { helmNamespacesEnv } from "../../test/service-account";
import { createSecret, crdSends, helmSends } from "../../test/metadata";
import { crds } from "../../testing/custom-resources";
import { helmReleaseSecret } from "../../testing/helm-release";
import { startFeatures } from "../../test/controller";
import type { InformerFactory } from "../kube/informer-factory";
import type { ObjectRef } from "./engine";
import type { MetadataForwarding } from "./forwarding";

const ns = testNamespace("metadata");
/** The forwarding under test uses the controller's credentials (a ServiceAccount under test:int:sa). */
const controllerKc = controllerKubeConfig();
const API_KEY = TEST_SECRETS.metadataApiKey;

interface Running {
  forwarding: MetadataForwarding;
  intake: FakeIntake;
  db: Database;
  informers: InformerFactory;
  stop(): Promise<void>;
}

/**
 * Metadata forwarding as the controller runs it (setupFeatures), leading, with the credentials
 * of `kc`, on a new database, sending to a new fake intake.
 */
async function startForwarding(
  kc: KubeConfig,
  env: Record<string, string> = {},
  id = "metadata-test",
): Promise<Running> {
  const intake = await startFakeIntake();
  const { db } = await createTestDatabase(id);
  const controller = await startFeatures(kc, db, ["metadata"], {
    env: {
      FLEETDECK_CONTROLLER_ID: id,
      DD_API_KEY: API_KEY,
      DD_URL: intake.url,
      // No heartbeat unless a test asks for one: the counts of sends below are exact, however
      // long a slow machine takes to get to them.
      FLEETDECK_METADATA_CRD_HEARTBEAT_SECONDS: "86400",
      FLEETDECK_METADATA_HELM_HEARTBEAT_SECONDS: "86400",
      ...env,
    },
    identityKc: ns.kc,
  });
  return {
    forwarding: controller.features.metadata!,
    intake,
    db,
    informers: controller.ctx.informers,
    async stop() {
      await controller.stop();
      await intake.close();
      await db.$disconnect();
    },
  };
}

/** Waits until the informer has seen `resourceVersion` of the object and the queue is drained, then a little more. */
async function settled(
  run: Running,
  ref: ObjectRef,
  resourceVersion: string,
  engine = run.forwarding.crd!.engine,
) {
  await eventually(() => {
    expect(engine.get(ref)?.metadata.resourceVersion).toBe(resourceVersion);
    expect(engine.isIdle()).toBe(true);
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(engine.isIdle()).toBe(true);
}

const spec = (site: string) => ({
  global: { site, clusterName: "metadata-test" },
  features: { apm: { enabled: true } },
});

describe("CRD forwarder", () => {
  let run: Running;
  beforeAll(async () => {
    run = await startForwarding(controllerKc);
  });
  afterAll(() => run?.stop());

  it("sends a new DatadogAgent, then exactly one send per spec edit, with the new spec", async () => {
    const api = crds(ns.kc);
    const name = uniqueName("dda");
    await api.create("DatadogAgent", ns.name, name, spec("datadoghq.com"));
    const first = await eventually(() => {
      const sends = crdSends(run.intake.records(), "DatadogAgent", ns.name, name);
      expect(sends).toHaveLength(1);
      return sends[0]!;
    });
    expect(JSON.parse(first.crd_spec_full).global.site).toBe("datadoghq.com");
    // The request carried the reference's headers; the fake redacted the key it recorded.
    const record = run.intake.delivered().at(-1)!;
    expect(record.headers).toMatchObject({
      "dd-api-key": "[redacted]",
      "content-type": "application/json",
      accept: "application/json",
      "user-agent": expect.stringMatching(/^fleetdeck\/\d+\.\d+\.\d+/),
    });

    const patched = await api.patch("DatadogAgent", ns.name, name, {
      spec: { global: { site: "datadoghq.eu" } },
    });
    const ref = { kind: "DatadogAgent", namespace: ns.name, name };
    await eventually(() =>
      expect(crdSends(run.intake.records(), "DatadogAgent", ns.name, name)).toHaveLength(2),
    );
    await settled(run, ref, patched.metadata.resourceVersion);
    const sends = crdSends(run.intake.records(), "DatadogAgent", ns.name, name);
    expect(sends).toHaveLength(2);
    expect(JSON.parse(sends[1]!.crd_spec_full).global.site).toBe("datadoghq.eu");

    // The send log has both attempts, reasons create then update, without the key.
    await eventually(async () => {
      const rows = await run.db.metadataSend.findMany({
        where: { object: `${ns.name}/${name}` },
        orderBy: { id: "asc" },
      });
      expect(rows.map((r) => [r.reason, r.status, r.attempt, r.httpStatus])).toEqual([
        ["create", "sent", 1, 202],
        ["update", "sent", 1, 202],
      ]);
      expect(rows[1]!.sizeBytes).toBe(Buffer.byteLength(rows[1]!.payload));
      expect(rows[1]!.latencyMs).toBeGreaterThan(0);
      for (const row of rows) expect(row.payload).not.toContain(API_KEY);
    });
  });

  it("sends once for a label change and never for a status-only change", async () => {
    const api = crds(ns.kc);
    const name = uniqueName("dda");
    const ref = { kind: "DatadogAgent", namespace: ns.name, name };
    await api.create("DatadogAgent", ns.name, name, spec("datadoghq.com"));
    await eventually(() =>
      expect(crdSends(run.intake.records(), "DatadogAgent", ns.name, name)).toHaveLength(1),
    );

    const labelled = await api.patch("DatadogAgent", ns.name, name, {
      metadata: { labels: { team: "sre" } },
    });
    await eventually(() =>
      expect(crdSends(run.intake.records(), "DatadogAgent", ns.name, name)).toHaveLength(2),
    );
    await settled(run, ref, labelled.metadata.resourceVersion);
    const sends = crdSends(run.intake.records(), "DatadogAgent", ns.name, name);
    expect(sends).toHaveLength(2);
    expect(JSON.parse(sends[1]!.crd_labels)).toEqual({ team: "sre" });

    const status = await api.patchStatus("DatadogAgent", ns.name, name, { observedGeneration: 7 });
    expect(status.metadata.resourceVersion).not.toBe(labelled.metadata.resourceVersion);
    await settled(run, ref, status.metadata.resourceVersion);
    expect(crdSends(run.intake.records(), "DatadogAgent", ns.name, name)).toHaveLength(2);
  });

  it("sends nothing for a delete and drops the snapshot", async () => {
    const api = crds(ns.kc);
    const name = uniqueName("dda");
    const ref = { kind: "DatadogAgent", namespace: ns.name, name };
    await api.create("DatadogAgent", ns.name, name, spec("datadoghq.com"));
    await eventually(() =>
      expect(crdSends(run.intake.records(), "DatadogAgent", ns.name, name)).toHaveLength(1),
    );
    expect(run.forwarding.crd!.hasSnapshot(ref)).toBe(true);
    const before = run.intake.records().length;
    await api.remove("DatadogAgent", ns.name, name);
    await eventually(() => expect(run.forwarding.crd!.hasSnapshot(ref)).toBe(false));
    await eventually(() => expect(run.forwarding.crd!.engine.isIdle()).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      run.intake
        .records()
        .slice(before)
        .filter((r) => JSON.stringify(r.body).includes(name)),
    ).toEqual([]);
  });

  it("retries a send the intake refuses: 500 three times, then delivered, four attempts logged", async () => {
    const name = uniqueName("dda");
    run.intake.fail({ status: 500, times: 3 });
    await crds(ns.kc).create("DatadogAgent", ns.name, name, spec("datadoghq.com"));
    await eventually(() =>
      expect(crdSends(run.intake.records(), "DatadogAgent", ns.name, name)).toHaveLength(1),
    );
    const attempts = run.intake
      .records()
      .filter((r) => JSON.stringify(r.body).includes(`"crd_name":"${name}"`));
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 500, 202]);
    await eventually(async () => {
      const rows = await run.db.metadataSend.findMany({
        where: { object: `${ns.name}/${name}` },
        orderBy: { id: "asc" },
      });
      expect(rows.map((r) => [r.attempt, r.reason, r.status, r.httpStatus])).toEqual([
        [1, "create", "failed", 500],
        [2, "retry", "failed", 500],
        [3, "retry", "failed", 500],
        [4, "retry", "sent", 202],
      ]);
      expect(rows[0]!.error).toContain("HTTP 500");
    });
  });

  it("writes the forwarder status: active watches, none denied, forwarding on", async () => {
    await eventually(async () => {
      const row = await run.db.metadataForwarder.findFirstOrThrow({ where: { name: "crd" } });
      expect(row.state).toBe("on");
      expect(row.intakeUrl).toBe(`${run.intake.url}/api/v1/metadata`);
      expect(JSON.parse(row.activeWatches).map((w: { kind: string }) => w.kind)).toEqual([
        "DatadogAgent",
        "DatadogAgentInternal",
        "DatadogAgentProfile",
      ]);
      expect(JSON.parse(row.deniedWatches)).toEqual([]);
      expect(row.snapshots).toBeGreaterThan(0);
      expect(row.lastSendAt).not.toBeNull();
    });
  });
});

describe("CRD heartbeat", () => {
  it("re-sends every snapshot on each short heartbeat", async () => {
    const run = await startForwarding(controllerKc, { FLEETDECK_METADATA_CRD_HEARTBEAT_SECONDS: "1" });
    try {
      const api = crds(ns.kc);
      const names = {
        DatadogAgent: uniqueName("hb-dda"),
        DatadogAgentInternal: uniqueName("hb-ddai"),
        DatadogAgentProfile: uniqueName("hb-dap"),
      };
      for (const [kind, name] of Object.entries(names))
        await api.create(kind as keyof typeof names, ns.name, name, spec("datadoghq.com"));
      await eventually(
        async () => {
          for (const [kind, name] of Object.entries(names)) {
            const reasons = (
              await run.db.metadataSend.findMany({
                where: { kind, object: `${ns.name}/${name}`, status: "sent" },
              })
            ).map((r) => r.reason);
            expect(reasons[0], `${kind} ${name}`).toBe("create");
            expect(reasons.filter((r) => r === "heartbeat").length, `${kind} ${name}`).toBeGreaterThanOrEqual(
              2,
            );
          }
        },
        { timeoutMs: 15_000 },
      );
      // A heartbeat re-sends the same content.
      const sends = crdSends(run.intake.records(), "DatadogAgentProfile", ns.name, names.DatadogAgentProfile);
      expect(new Set(sends.map((s) => s.crd_spec_full)).size).toBe(1);
      const row = await run.db.metadataForwarder.findFirstOrThrow({ where: { name: "crd" } });
      expect(row.heartbeatSeconds).toBe(1);
    } finally {
      await run.stop();
    }
  });
});

describe("RBAC", () => {
  const core = ns.kc.makeApiClient(CoreV1Api);
  const rbac = ns.kc.makeApiClient(RbacAuthorizationV1Api);

  /** A new ServiceAccount of the test namespace with what `grant` gives it, as a KubeConfig. */
  async function accountWith(prefix: string, grant: (account: string) => Promise<void>): Promise<KubeConfig> {
    const account = uniqueName(prefix);
    await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: account } } });
    await grant(account);
    const token = await core.createNamespacedServiceAccountToken({
      name: account,
      namespace: ns.name,
      body: { spec: { audiences: [] } },
    });
    return tokenKubeConfig(ns.kc, token.status!.token);
  }

  it("skips the DatadogAgentProfile watch when list/watch is denied; the other watches work", async () => {
    let role = "";
    const kc = await accountWith("forwarder", async (sa) => {
      role = `${ns.name}-${sa}`;
      await rbac.createClusterRole({
        body: {
          metadata: { name: role },
          rules: [
            {
              apiGroups: ["datadoghq.com"],
              resources: ["datadogagents", "datadogagentinternals"],
              verbs: ["get", "list", "watch"],
            },
            { apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["list", "watch"] },
          ],
        },
      });
      await rbac.createClusterRoleBinding({
        body: {
          metadata: { name: role },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
          subjects: [{ kind: "ServiceAccount", name: sa, namespace: ns.name }],
        },
      });
    });
    // The cluster identity needs kube-system, which this account may not read: reuse the admin's.
    const run = await startForwardingAs(kc);
    try {
      const status = run.forwarding.crd!.status();
      expect(status.active.map((w) => w.kind)).toEqual(["DatadogAgent", "DatadogAgentInternal"]);
      expect(status.denied).toEqual([
        {
          kind: "DatadogAgentProfile",
          group: "datadoghq.com",
          resource: "datadogagentprofiles",
          reason:
            "no permission to watch datadogagentprofiles.datadoghq.com (list and watch denied cluster-wide)",
        },
      ]);
      const api = crds(ns.kc);
      const agent = uniqueName("rbac-dda");
      const profile = uniqueName("rbac-dap");
      await api.create("DatadogAgentProfile", ns.name, profile, { config: {} });
      await api.create("DatadogAgent", ns.name, agent, spec("datadoghq.com"));
      await eventually(() =>
        expect(crdSends(run.intake.records(), "DatadogAgent", ns.name, agent)).toHaveLength(1),
      );
      await eventually(() => expect(run.forwarding.crd!.engine.isIdle()).toBe(true));
      expect(crdSends(run.intake.records(), "DatadogAgentProfile", ns.name, profile)).toEqual([]);
      await eventually(async () => {
        const row = await run.db.metadataForwarder.findFirstOrThrow({ where: { name: "crd" } });
        expect(JSON.parse(row.deniedWatches)[0].reason).toContain(
          "no permission to watch datadogagentprofiles",
        );
        const audit = await run.db.auditEvent.findFirstOrThrow({
          where: { action: "metadata.watch-denied" },
        });
        expect(audit.target).toBe("datadogagentprofiles.datadoghq.com");
      });
    } finally {
      await run.stop();
      await rbac.deleteClusterRoleBinding({ name: role }).catch(() => undefined);
      await rbac.deleteClusterRole({ name: role }).catch(() => undefined);
    }
  });

  it("forwards the Helm releases of the listed namespaces with a Role in each: one it may not read is reported, the others work", async () => {
    const forbidden = await createNamespace(ns.kc, "metadata-forbidden");
    // As config/deploy-helm-namespaces grants it: a Role in the listed namespace, nothing cluster-wide.
    const kc = await accountWith("helm-reader", async (sa) => {
      await rbac.createNamespacedRole({
        namespace: ns.name,
        body: {
          metadata: { name: sa },
          rules: [{ apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["list", "watch"] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: ns.name,
        body: {
          metadata: { name: sa },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: sa },
          subjects: [{ kind: "ServiceAccount", name: sa, namespace: ns.name }],
        },
      });
    });
    const run = await startForwardingAs(kc, {
      FLEETDECK_METADATA_HELM_NAMESPACES: `${ns.name},${forbidden}`,
    });
    try {
      const status = run.forwarding.helm!.status();
      expect(status.active).toEqual([
        { kind: "Secret", group: "", resource: "secrets", namespace: ns.name },
        { kind: "ConfigMap", group: "", resource: "configmaps", namespace: ns.name },
      ]);
      expect(status.denied.map((w) => [w.kind, w.namespace, w.reason])).toEqual([
        [
          "Secret",
          forbidden,
          `no permission to watch secrets (list and watch denied in namespace ${forbidden})`,
        ],
        [
          "ConfigMap",
          forbidden,
          `no permission to watch configmaps (list and watch denied in namespace ${forbidden})`,
        ],
      ]);
      const release = uniqueName("datadog");
      await createSecret(ns.kc, helmReleaseSecret({ namespace: ns.name, release, revision: 1 }));
      await eventually(() => expect(helmSends(run.intake.records(), ns.name, release)).toHaveLength(1));
    } finally {
      await run.stop();
      await core.deleteNamespace({ name: forbidden }).catch(() => undefined);
    }
  });

  function startForwardingAs(kc: KubeConfig, env: Record<string, string> = {}): Promise<Running> {
    return startForwarding(kc, env, "metadata-rbac-test");
  }
});

describe("Helm forwarder", () => {
  let run: Running;
  beforeAll(async () => {
    run = await startForwarding(controllerKc, {
      FLEETDECK_METADATA_HELM_MAX_RELEASE_BYTES: String(256 * 1024),
      ...helmNamespacesEnv([ns.name]),
    });
  });
  afterAll(() => run?.stop());
  const helmEngine = () => run.forwarding.helm!.engine;

  it("sends a release once per revision: v1, then v2; Helm's relabelling of v1 and a label edit send nothing", async () => {
    const release = uniqueName("datadog");
    await createSecret(
      ns.kc,
      helmReleaseSecret({
        namespace: ns.name,
        release,
        revision: 1,
        values: { datadog: { site: "datadoghq.eu" } },
      }),
    );
    await eventually(() => expect(helmSends(run.intake.records(), ns.name, release)).toHaveLength(1));

    // helm upgrade: v2 appears, then v1 is marked superseded.
    await createSecret(
      ns.kc,
      helmReleaseSecret({
        namespace: ns.name,
        release,
        revision: 2,
        chartVersion: "3.71.0",
        values: { datadog: { site: "datadoghq.eu", apiKey: TEST_SECRETS.helmValuesApiKey } },
      }),
    );
    const core = ns.kc.makeApiClient(CoreV1Api);
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    const superseded = await core.patchNamespacedSecret(
      {
        name: `sh.helm.release.v1.${release}.v1`,
        namespace: ns.name,
        body: { metadata: { labels: { status: "superseded" } } },
      },
      merge,
    );
    await eventually(() => expect(helmSends(run.intake.records(), ns.name, release)).toHaveLength(2));
    await settled(
      run,
      { kind: "Secret", namespace: ns.name, name: `sh.helm.release.v1.${release}.v1` },
      superseded.metadata!.resourceVersion!,
      helmEngine(),
    );
    const relabelled = await core.patchNamespacedSecret(
      {
        name: `sh.helm.release.v1.${release}.v2`,
        namespace: ns.name,
        body: { metadata: { labels: { audited: "yes" } } },
      },
      merge,
    );
    await settled(
      run,
      { kind: "Secret", namespace: ns.name, name: `sh.helm.release.v1.${release}.v2` },
      relabelled.metadata!.resourceVersion!,
      helmEngine(),
    );

    const sends = helmSends(run.intake.records(), ns.name, release);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.chart_version).toBe("3.71.0");
    expect(sends[1]!.chart_name).toBe("datadog");
    // Provided and full values as YAML, user values winning, the API key redacted.
    expect(sends[1]!.helm_provided_configuration).toBe(
      'datadog:\n  apiKey: "[redacted]"\n  site: datadoghq.eu\n',
    );
    expect(sends[1]!.helm_full_configuration).toBe(
      'datadog:\n  apiKey: "[redacted]"\n  site: datadoghq.eu\n',
    );
    const rows = await run.db.metadataSend.findMany({
      where: { object: `${ns.name}/${release}` },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => [r.kind, r.revision, r.reason, r.status])).toEqual([
      ["HelmRelease", 1, "create", "sent"],
      ["HelmRelease", 2, "update", "sent"],
    ]);
    expect(rows.every((r) => !r.payload.includes("0123456789abcdef"))).toBe(true);
  });

  it("sends only the newest revision of a release found at start-up", async () => {
    const release = uniqueName("datadog");
    await run.forwarding.helm!.stop();
    for (const revision of [1, 2, 3])
      await createSecret(
        ns.kc,
        helmReleaseSecret({ namespace: ns.name, release, revision, chartVersion: `3.7${revision}.0` }),
      );
    // As after a restart: the informer holds every revision when the forwarder starts.
    await eventually(() =>
      expect(
        helmEngine().get({ kind: "Secret", namespace: ns.name, name: `sh.helm.release.v1.${release}.v3` }),
      ).toBeDefined(),
    );
    await run.forwarding.helm!.start();
    await eventually(() => expect(helmSends(run.intake.records(), ns.name, release)).toHaveLength(1));
    await eventually(() => expect(helmEngine().isIdle()).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sends = helmSends(run.intake.records(), ns.name, release);
    expect(sends.map((s) => s.chart_version)).toEqual(["3.73.0"]);
  });

  it("re-sends the last revision of every release on a heartbeat", async () => {
    const release = uniqueName("datadog");
    await createSecret(ns.kc, helmReleaseSecret({ namespace: ns.name, release, revision: 1 }));
    await createSecret(
      ns.kc,
      helmReleaseSecret({ namespace: ns.name, release, revision: 2, chartVersion: "3.72.0" }),
    );
    await eventually(() =>
      expect(helmSends(run.intake.records(), ns.name, release).map((s) => s.chart_version)).toContain(
        "3.72.0",
      ),
    );
    await eventually(() => expect(helmEngine().isIdle()).toBe(true));
    const before = helmSends(run.intake.records(), ns.name, release).length;
    helmEngine().beat();
    await eventually(() =>
      expect(helmSends(run.intake.records(), ns.name, release)).toHaveLength(before + 1),
    );
    expect(helmSends(run.intake.records(), ns.name, release).at(-1)!.chart_version).toBe("3.72.0");
    await eventually(async () => {
      const last = await run.db.metadataSend.findFirstOrThrow({
        where: { object: `${ns.name}/${release}` },
        orderBy: { id: "desc" },
      });
      expect([last.reason, last.revision, last.status]).toEqual(["heartbeat", 2, "sent"]);
    });
  });

  it("ignores charts outside the allowlist", async () => {
    const release = uniqueName("nginx");
    const secret = await createSecret(
      ns.kc,
      helmReleaseSecret({ namespace: ns.name, release, revision: 1, chart: "nginx" }),
    );
    await settled(
      run,
      { kind: "Secret", namespace: ns.name, name: secret.metadata!.name! },
      secret.metadata!.resourceVersion!,
      helmEngine(),
    );
    expect(helmSends(run.intake.records(), ns.name, release)).toEqual([]);
    expect(await run.db.metadataSend.count({ where: { object: `${ns.name}/${release}` } })).toBe(0);
  });

  it("skips a corrupt or oversized release with its reason and keeps forwarding", async () => {
    const corrupt = uniqueName("datadog");
    const oversized = uniqueName("datadog");
    const healthy = uniqueName("datadog");
    await createSecret(
      ns.kc,
      helmReleaseSecret({
        namespace: ns.name,
        release: corrupt,
        revision: 1,
        rawRelease: "bm90IGEgcmVsZWFzZQ==",
      }),
    );
    await createSecret(
      ns.kc,
      helmReleaseSecret({
        namespace: ns.name,
        release: oversized,
        revision: 1,
        values: { padding: "x".repeat(1024 * 1024) },
      }),
    );
    await createSecret(ns.kc, helmReleaseSecret({ namespace: ns.name, release: healthy, revision: 1 }));
    await eventually(() => expect(helmSends(run.intake.records(), ns.name, healthy)).toHaveLength(1));
    await eventually(async () => {
      const skipped = await run.db.metadataSend.findMany({
        where: { status: "skipped", object: { in: [`${ns.name}/${corrupt}`, `${ns.name}/${oversized}`] } },
      });
      const byObject = Object.fromEntries(skipped.map((r) => [r.object, r.error]));
      expect(byObject[`${ns.name}/${corrupt}`]).toMatch(/undecodable Helm release \(not-gzip\)/);
      expect(byObject[`${ns.name}/${oversized}`]).toMatch(
        /undecodable Helm release \(too-large\): .*262144 bytes/,
      );
      expect(skipped).toHaveLength(2);
    });
    expect(helmSends(run.intake.records(), ns.name, corrupt)).toEqual([]);
    expect(helmSends(run.intake.records(), ns.name, oversized)).toEqual([]);
    // Where kubectl users look: a Warning Event on the release's Secret.
    const event = await eventually(async () => {
      const list = await ns.kc.makeApiClient(EventsV1Api).listNamespacedEvent({
        namespace: ns.name,
        fieldSelector: `regarding.name=sh.helm.release.v1.${corrupt}.v1`,
      });
      expect(list.items).toHaveLength(1);
      return list.items[0]!;
    });
    expect(event).toMatchObject({ type: "Warning", reason: "MetadataSkipped" });
    expect(event.note).toContain("not-gzip");
  });

  // Issue 13: a datadog release with a Postgres check and a DATABASE_URL env entry had both
  // passwords stored in SQLite, shown on the Metadata page and sent on.
  it("sends and logs a release's check config and DATABASE_URL without their passwords", async () => {
    const release = uniqueName("datadog");
    await createSecret(
      ns.kc,
      helmReleaseSecret({
        namespace: ns.name,
        release,
        revision: 1,
        values: {
          datadog: {
            confd: {
              "postgres.yaml":
                "init_config:\ninstances:\n  - host: db\n    username: datadog\n    password: pg-check-pw-71\n",
            },
            env: [{ name: "DATABASE_URL", value: "postgres://user:pg-url-pw-72@db/x" }],
          },
        },
      }),
    );
    const [sent] = await eventually(() => {
      const sends = helmSends(run.intake.records(), ns.name, release);
      expect(sends).toHaveLength(1);
      return sends;
    });
    const row = await eventually(() =>
      run.db.metadataSend.findFirstOrThrow({ where: { object: `${ns.name}/${release}`, status: "sent" } }),
    );
    for (const text of [JSON.stringify(sent), row.payload]) {
      expect(text).not.toContain("pg-check-pw-71");
      expect(text).not.toContain("pg-url-pw-72");
    }
    expect(sent!.helm_provided_configuration).toContain("host: db");
    expect(sent!.helm_provided_configuration).toContain("name: DATABASE_URL");
  });

  it("forwards only the listed namespaces' releases, through namespaced watches", async () => {
    const other = await createNamespace(ns.kc, "metadata-unlisted");
    const limited = await startForwarding(controllerKc, { FLEETDECK_METADATA_HELM_NAMESPACES: ns.name });
    try {
      const status = limited.forwarding.helm!.status();
      expect(status.active.map((w) => [w.kind, w.namespace])).toEqual([
        ["Secret", ns.name],
        ["ConfigMap", ns.name],
      ]);
      expect(status.denied).toEqual([]);
      const listed = uniqueName("datadog");
      const unlisted = uniqueName("datadog");
      await createSecret(ns.kc, helmReleaseSecret({ namespace: other, release: unlisted, revision: 1 }));
      await createSecret(ns.kc, helmReleaseSecret({ namespace: ns.name, release: listed, revision: 1 }));
      await eventually(() => expect(helmSends(limited.intake.records(), ns.name, listed)).toHaveLength(1));
      await eventually(() => expect(limited.forwarding.helm!.engine.isIdle()).toBe(true));
      expect(helmSends(limited.intake.records(), other, unlisted)).toEqual([]);
      expect(await limited.db.metadataSend.count({ where: { object: `${other}/${unlisted}` } })).toBe(0);
    } finally {
      await limited.stop();
      await ns.kc
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name: other })
        .catch(() => undefined);
    }
  });

  it("reads releases stored in ConfigMaps too", async () => {
    const release = uniqueName("datadog");
    const secret = helmReleaseSecret({ namespace: ns.name, release, revision: 1 });
    await ns.kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: secret.metadata,
        data: { release: Buffer.from(secret.data!.release!, "base64").toString("utf8") },
      },
    });
    await eventually(() => expect(helmSends(run.intake.records(), ns.name, release)).toHaveLength(1));
  });
});

describe("without DD_API_KEY", () => {
  it("watches and sends nothing, and says so in the status rows and the audit trail", async () => {
    const { db } = await createTestDatabase("metadata-off");
    const controller = await startFeatures(controllerKc, db, ["metadata"], {
      env: { FLEETDECK_CONTROLLER_ID: "metadata-off-test" },
      identityKc: ns.kc,
    });
    const forwarding = controller.features.metadata!;
    const informers = controller.ctx.informers;
    try {
      expect(forwarding.crd).toBeUndefined();
      expect(forwarding.helm).toBeUndefined();
      expect(informers.all()).toEqual([]);
      await eventually(async () => {
        const rows = await db.metadataForwarder.findMany({ orderBy: { name: "asc" } });
        expect(rows.map((r) => [r.name, r.state, r.message])).toEqual([
          ["crd", "off", "forwarding is off: DD_API_KEY is not set"],
          ["helm", "off", "forwarding is off: DD_API_KEY is not set"],
        ]);
      });
      expect(await db.auditEvent.count({ where: { action: "metadata.forwarding-off" } })).toBe(1);
    } finally {
      await controller.stop();
      await db.$disconnect();
    }
  });
});
