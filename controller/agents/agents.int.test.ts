// The DatadogAgent reconciler on the real API server and the operator's CRD: rendering,
// credentials (literal keys into an owned Secret, a missing Secret shown), the fields it does not
// render shown, revision history and GC, restore-revision, bad input refused with nothing
// changed, render failures, deletion.
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCommand } from "../../lib/db/commands";
import type { Database } from "../../lib/db/open";
import {
  agentClient,
  agentState,
  agentEvents,
  conditionOf,
  createApiKeySecret,
  currentRevision,
  reconciled,
  startAgents,
  submit,
} from "../../test/agents";
import { agentPage } from "../../test/dashboard";
import type { ControllerUnderTest } from "../../test/controller";
import { createTestDatabase } from "../../testing/database";
import { controllerKubeConfig, eventually, testNamespace, uniqueName } from "../../test/harness";
import { DATADOG_SITES } from "./endpoint-policy";
import { revisionName, specHash } from "./hash";
import { REVISION_ANNOTATION } from "./render";

const ns = testNamespace("agents");
const agents = () => agentClient(ns.kc);
const apps = () => ns.kc.makeApiClient(AppsV1Api);
const spec = (logLevel: string) => ({
  global: { logLevel, credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } } },
  features: { apm: { enabled: true } },
  override: {
    nodeAgent: { env: [{ name: "DD_ENV", value: "test" }], nodeSelector: { "kubernetes.io/os": "linux" } },
  },
});
let db: Database;
let controller: ControllerUnderTest;

beforeAll(async () => {
  ({ db } = await createTestDatabase("agents"));
  await createApiKeySecret(ns.kc, ns.name);
  controller = await startAgents(controllerKubeConfig(), db);
});
afterAll(async () => {
  await controller?.stop();
});

const ownedRevisions = async (uid: string) =>
  (
    await apps().listNamespacedControllerRevision({
      namespace: ns.name,
      labelSelector: `fleetdeck.dev/agent-uid=${uid}`,
    })
  ).items
    .filter((cr) => cr.metadata?.ownerReferences?.some((o) => o.kind === "DatadogAgent"))
    .map((cr) => cr.metadata!.name!)
    .sort();

/** Edits the spec from outside and waits for the reconciler to take the new revision. */
async function edit(name: string, logLevel: string): Promise<string> {
  await agents().replaceSpec(ns.name, name, spec(logLevel));
  const expected = revisionName(name, specHash(spec(logLevel)));
  await currentRevision(ns.kc, db, ns.name, name, expected);
  return expected;
}

describe("reconcile", () => {
  it("snapshots the spec, renders owned workloads with the API key as a Secret reference, and fills the read model", async () => {
    const name = uniqueName("render");
    await agents().create(ns.name, name, spec("info"));
    const agent = await reconciled(ns.kc, ns.name, name);
    const revision = revisionName(name, specHash(spec("info")));
    expect(conditionOf(agent, "FleetdeckReconciled")).toMatchObject({
      status: "True",
      reason: "Reconciled",
      observedGeneration: 1,
      message: `revision ${revision} is rendered`,
    });
    expect(conditionOf(agent, "FleetdeckUnsupportedFields")).toMatchObject({ status: "False" });
    const state = await currentRevision(ns.kc, db, ns.name, name, revision);
    expect(state.previousRevision).toBeUndefined();

    const ds = await eventually(() =>
      apps().readNamespacedDaemonSet({ namespace: ns.name, name: `${name}-agent` }),
    );
    const deploy = await apps().readNamespacedDeployment({
      namespace: ns.name,
      name: `${name}-cluster-agent`,
    });
    for (const w of [ds, deploy]) {
      expect(w.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: "DatadogAgent",
        uid: agent.metadata.uid,
        controller: true,
      });
      expect(w.spec?.template.metadata?.annotations?.[REVISION_ANNOTATION]).toBe(revision);
      expect(w.metadata?.managedFields?.map((f) => f.manager)).toContain("fleetdeck");
    }
    const env = ds.spec!.template.spec!.containers[0]!.env!;
    expect(env.find((e) => e.name === "DD_API_KEY")).toEqual({
      name: "DD_API_KEY",
      valueFrom: { secretKeyRef: { name: "datadog-secret", key: "api-key" } },
    });
    expect(env.find((e) => e.name === "DD_ENV")?.value).toBe("test");
    expect(ds.spec!.template.spec!.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect(deploy.spec!.replicas).toBe(1);

    const row = await eventually(() => db.agent.findFirstOrThrow({ where: { key: `${ns.name}/${name}` } }));
    expect(row).toMatchObject({
      currentRevision: revision,
      uid: agent.metadata.uid,
      renderError: null,
      deletedAt: null,
    });
    expect(JSON.stringify(row)).not.toContain("placeholder-not-a-real-key");
  });

  it("GC keeps current and previous in the cluster; the store keeps every revision, with in-cluster flags", async () => {
    const name = uniqueName("gc");
    const agent = await agents().create(ns.name, name, spec("info"));
    await reconciled(ns.kc, ns.name, name);
    const seen = [revisionName(name, specHash(spec("info")))];
    for (const level of ["debug", "warn", "error", "trace"]) seen.push(await edit(name, level));
    await eventually(async () =>
      expect(await ownedRevisions(agent.metadata.uid)).toEqual([seen[3], seen[4]].sort()),
    );
    // The read model follows the cluster: its last row may land just after the status.
    const history = await eventually(async () => {
      const rows = await db.agentRevision.findMany({
        where: { agentKey: `${ns.name}/${name}` },
        orderBy: { id: "asc" },
      });
      expect(rows.map((r) => r.name)).toEqual(seen);
      return rows;
    });
    expect(history.every((r) => r.cause === "user-edit")).toBe(true);
    expect(history.slice(1).map((r) => r.actor)).toEqual(
      Array(4).fill("outside edit (field manager kubectl-edit)"),
    );
    await eventually(async () => {
      const flags = await db.agentRevision.findMany({
        where: { agentKey: `${ns.name}/${name}` },
        orderBy: { id: "asc" },
      });
      expect(flags.map((r) => r.inCluster)).toEqual([false, false, false, true, true]);
    });
    // Numbered as a DaemonSet's history: the current one last.
    const numbers = (
      await apps().listNamespacedControllerRevision({
        namespace: ns.name,
        labelSelector: `fleetdeck.dev/agent-uid=${agent.metadata.uid}`,
      })
    ).items
      .filter((cr) => cr.metadata?.ownerReferences?.some((o) => o.kind === "DatadogAgent"))
      .sort((a, b) => a.revision - b.revision)
      .map((cr) => cr.metadata!.name);
    expect(numbers).toEqual([seen[3], seen[4]]);
  });

  it("reports workloads the API server refuses as a Warning Event, a condition and in the read model, and still reconciles", async () => {
    const name = uniqueName("badrender");
    // The operator's schema takes any string map; the DaemonSet's validation does not.
    await agents().create(ns.name, name, {
      override: { nodeAgent: { nodeSelector: { "not a label!": "x" } } },
    });
    const agent = await reconciled(ns.kc, ns.name, name);
    expect(conditionOf(agent, "FleetdeckReconciled")).toMatchObject({
      status: "False",
      reason: "RenderFailed",
      message: expect.stringContaining("nodeSelector"),
    });
    await eventually(async () => {
      const event = (await agentEvents(ns.kc, ns.name, name)).find((e) => e.reason === "RenderFailed");
      expect(event?.type).toBe("Warning");
      expect(event?.note).toContain("nodeSelector");
    });
    await eventually(async () => {
      const row = await db.agent.findFirstOrThrow({ where: { key: `${ns.name}/${name}` } });
      expect(row.renderError).toContain("nodeSelector");
      expect(row.currentRevision).toBe(revisionName(name, specHash(agent.spec)));
    });
  });

  it("a deleted DatadogAgent is marked deleted in the store; its history stays", async () => {
    const name = uniqueName("deleted");
    await agents().create(ns.name, name, spec("info"));
    await reconciled(ns.kc, ns.name, name);
    await agents().delete(ns.name, name);
    const row = await eventually(async () => {
      const r = await db.agent.findFirstOrThrow({ where: { key: `${ns.name}/${name}` } });
      expect(r.deletedAt).not.toBeNull();
      return r;
    });
    expect(row.currentRevision).toBeDefined();
    const history = await db.agentRevision.findMany({ where: { agentKey: `${ns.name}/${name}` } });
    expect(history.length).toBe(1);
    expect(history[0]!.inCluster).toBe(false);
  });
});

describe("credentials and what the renderer leaves aside", () => {
  const LITERAL = "placeholder-literal-api-key-4471";
  const core = () => ns.kc.makeApiClient(CoreV1Api);

  it("a literal apiKey becomes the owned Secret <name>-secret (api_key) the workloads reference; never stored, shown or kept in a revision", async () => {
    const name = uniqueName("literal");
    const key = `${ns.name}/${name}`;
    const agent = await agents().create(ns.name, name, {
      global: { clusterName: "x", credentials: { apiKey: LITERAL, appKey: `${LITERAL}-app` } },
    });
    const reconciledAgent = await reconciled(ns.kc, ns.name, name);
    expect(conditionOf(reconciledAgent, "FleetdeckReconciled")).toMatchObject({ status: "True" });

    const secret = await core().readNamespacedSecret({ namespace: ns.name, name: `${name}-secret` });
    expect(secret.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: "DatadogAgent", uid: agent.metadata.uid, controller: true }),
    ]);
    expect(Buffer.from(secret.data!.api_key!, "base64").toString()).toBe(LITERAL);
    expect(Buffer.from(secret.data!.app_key!, "base64").toString()).toBe(`${LITERAL}-app`);
    const ds = await apps().readNamespacedDaemonSet({ namespace: ns.name, name: `${name}-agent` });
    const env = ds.spec!.template.spec!.containers[0]!.env!;
    expect(env.filter((e) => e.name === "DD_API_KEY" || e.name === "DD_APP_KEY")).toEqual([
      { name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: `${name}-secret`, key: "api_key" } } },
      { name: "DD_APP_KEY", valueFrom: { secretKeyRef: { name: `${name}-secret`, key: "app_key" } } },
    ]);
    expect(JSON.stringify(ds)).not.toContain(LITERAL);

    // Nothing fleetdeck keeps or shows has it: the store's rows, its ControllerRevision, Events, the page.
    await currentRevision(ns.kc, db, ns.name, name, revisionName(name, specHash(agent.spec)));
    const history = await db.agentRevision.findMany({ where: { agentKey: key } });
    expect(history.map((r) => r.specRedacted)).toEqual([true]);
    const rows = [
      history,
      await db.agent.findMany({ where: { key } }),
      await db.auditEvent.findMany({ where: { target: key } }),
    ];
    expect(JSON.stringify(rows)).not.toContain(LITERAL);
    const revisions = (
      await apps().listNamespacedControllerRevision({
        namespace: ns.name,
        labelSelector: `fleetdeck.dev/agent-uid=${agent.metadata.uid}`,
      })
    ).items.filter((cr) => cr.metadata?.ownerReferences?.some((o) => o.kind === "DatadogAgent"));
    expect(revisions).toHaveLength(1);
    expect(JSON.stringify(revisions)).not.toContain(LITERAL);
    expect(JSON.stringify(await agentEvents(ns.kc, ns.name, name))).not.toContain(LITERAL);
    expect(JSON.stringify(await agentPage(db, key))).not.toContain(LITERAL);

    // A new literal (a rotated key) reaches the Secret.
    await agents().replaceSpec(ns.name, name, {
      global: { clusterName: "x", credentials: { apiKey: `${LITERAL}-2` } },
    });
    await eventually(async () => {
      const rotated = await core().readNamespacedSecret({ namespace: ns.name, name: `${name}-secret` });
      expect(Buffer.from(rotated.data!.api_key!, "base64").toString()).toBe(`${LITERAL}-2`);
      expect(rotated.data!.app_key).toBeUndefined();
    });
  });

  it("a Secret of the user's with the owned Secret's name is not overwritten: the agent is shown failing (SecretConflict)", async () => {
    const name = uniqueName("clash");
    await core().createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: `${name}-secret` }, stringData: { "api-key": "the-users-own" } },
    });
    await agents().create(ns.name, name, { global: { credentials: { apiKey: LITERAL } } });
    const agent = await reconciled(ns.kc, ns.name, name);
    expect(conditionOf(agent, "FleetdeckReconciled")).toMatchObject({
      status: "False",
      reason: "SecretConflict",
      message: expect.stringContaining(`Secret ${ns.name}/${name}-secret`),
    });
    const secret = await core().readNamespacedSecret({ namespace: ns.name, name: `${name}-secret` });
    expect(Object.keys(secret.data ?? {})).toEqual(["api-key"]);
    expect(secret.metadata?.ownerReferences).toBeUndefined();
  });

  it("a referenced Secret that is missing: rendered, and shown failing with that reason until it appears", async () => {
    const name = uniqueName("nosecret");
    const key = `${ns.name}/${name}`;
    await agents().create(ns.name, name, {
      global: { credentials: { apiSecret: { secretName: `${name}-keys`, keyName: "api-key" } } },
    });
    const agent = await reconciled(ns.kc, ns.name, name);
    const why = `Secret ${ns.name}/${name}-keys (global.credentials.apiSecret) does not exist`;
    expect(conditionOf(agent, "FleetdeckReconciled")).toMatchObject({
      status: "False",
      reason: "SecretNotFound",
      message: expect.stringContaining(why),
    });
    // Rendered all the same: the DaemonSet exists, its pods wait for the Secret.
    expect(
      (await apps().readNamespacedDaemonSet({ namespace: ns.name, name: `${name}-agent` })).metadata?.name,
    ).toBe(`${name}-agent`);
    const page = await eventually(async () => {
      const p = await agentPage(db, key);
      expect(p.failing).toEqual({ reason: "SecretNotFound", message: expect.stringContaining(why) });
      return p;
    });
    expect(page.conditions.find((c) => c.type === "FleetdeckReconciled")?.status).toBe("False");
    await eventually(async () =>
      expect((await agentEvents(ns.kc, ns.name, name)).map((e) => e.reason)).toContain("CredentialsMissing"),
    );

    await core().createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: `${name}-keys` }, stringData: { "api-key": "placeholder-not-a-real-key" } },
    });
    await eventually(
      async () =>
        expect(conditionOf(await agents().get(ns.name, name), "FleetdeckReconciled")).toMatchObject({
          status: "True",
        }),
      { timeoutMs: 40_000 },
    );
    await eventually(async () => expect((await agentPage(db, key)).failing).toBeNull());
  });

  it("the spec's fields the renderer leaves aside are named in a condition and on the page", async () => {
    const name = uniqueName("aside");
    await agents().create(ns.name, name, {
      ...spec("info"),
      features: { apm: { enabled: true }, cws: { enabled: true } },
      override: { nodeAgent: { containers: { agent: { resources: { requests: { cpu: "100m" } } } } } },
    });
    const agent = await reconciled(ns.kc, ns.name, name);
    expect(conditionOf(agent, "FleetdeckUnsupportedFields")).toMatchObject({
      status: "True",
      reason: "FieldsIgnored",
      message: expect.stringContaining("features.cws, override.nodeAgent.containers"),
    });
    await eventually(async () =>
      expect((await agentPage(db, `${ns.name}/${name}`)).ignoredFields).toEqual([
        "features.cws",
        "override.nodeAgent.containers",
      ]),
    );
  });
});

describe("restore-revision", () => {
  it("restores an older revision, re-creating the ControllerRevision the cluster dropped, and rolls the pods", async () => {
    const name = uniqueName("restore");
    const target = `${ns.name}/${name}`;
    const agent = await agents().create(ns.name, name, spec("info"));
    await reconciled(ns.kc, ns.name, name);
    const first = revisionName(name, specHash(spec("info")));
    for (const level of ["debug", "warn", "error"]) await edit(name, level);
    await eventually(async () => expect(await ownedRevisions(agent.metadata.uid)).not.toContain(first));

    const result = await submit(db, "restore-revision", target, { revision: first }, { actor: "carol" });
    expect(result).toMatchObject({
      status: "applied",
      message: expect.stringContaining(`restored to revision ${first}`),
    });
    await currentRevision(ns.kc, db, ns.name, name, first);
    expect(specHash((await agents().get(ns.name, name)).spec)).toBe(specHash(spec("info")));
    expect(await ownedRevisions(agent.metadata.uid)).toContain(first);
    await eventually(async () => {
      const ds = await apps().readNamespacedDaemonSet({ namespace: ns.name, name: `${name}-agent` });
      expect(ds.spec?.template.metadata?.annotations?.[REVISION_ANNOTATION]).toBe(first);
    });
    const latest = await db.agentRevision.findFirstOrThrow({
      where: { agentKey: target },
      orderBy: { id: "desc" },
    });
    expect(latest).toMatchObject({ name: first, cause: "restore", actor: "carol", inCluster: true });
    await eventually(async () =>
      expect((await agentEvents(ns.kc, ns.name, name)).map((e) => e.note)).toContainEqual(
        expect.stringMatching(new RegExp(`^Revision ${first} restored by carol`)),
      ),
    );
    expect(
      await db.auditEvent.count({ where: { target, action: "revision.restored", actor: "carol" } }),
    ).toBe(1);
    expect(await submit(db, "restore-revision", target, { revision: first })).toMatchObject({
      status: "ignored",
      message: `revision ${first} is already current`,
    });
  });

  it("is refused for a revision that sends the agents' data to a host the policy does not allow", async () => {
    const name = uniqueName("elsewhere");
    const target = `${ns.name}/${name}`;
    await agents().create(ns.name, name, spec("info"));
    await reconciled(ns.kc, ns.name, name);
    // An administrator pointed the agents at another host with kubectl, then back.
    const elsewhere = { ...spec("info"), global: { ...spec("info").global, site: "intake.evil.example" } };
    await agents().replaceSpec(ns.name, name, elsewhere);
    const redirected = revisionName(name, specHash(elsewhere));
    await currentRevision(ns.kc, db, ns.name, name, redirected);
    const current = await edit(name, "debug");
    expect(await submit(db, "restore-revision", target, { revision: redirected })).toMatchObject({
      status: "rejected",
      message: `refused by fleetdeck's policy: endpoint host "intake.evil.example" (global.site) is not an allowed destination for the agents' data (${DATADOG_SITES.join(", ")}; FLEETDECK_ALLOWED_ENDPOINTS)`,
    });
    expect((await agentState(db, target)).currentRevision).toBe(current);
    expect((await agents().get(ns.name, name)).spec).toEqual(spec("debug"));
  });

  it("is refused while an experiment runs", async () => {
    const name = uniqueName("busy");
    const target = `${ns.name}/${name}`;
    await agents().create(ns.name, name, spec("info"));
    const base = revisionName(name, specHash(spec("info")));
    await currentRevision(ns.kc, db, ns.name, name, base);
    await edit(name, "debug");
    await submit(db, "start-experiment", target, {
      experimentId: "busy-1",
      config: { global: { logLevel: "warn" } },
    });
    expect(await submit(db, "restore-revision", target, { revision: base })).toMatchObject({
      status: "rejected",
      message:
        "experiment busy-1 is in progress (phase=running): promote or stop it before restoring a revision",
    });
  });
});

describe("bad input is refused with a specific message and nothing changes", () => {
  let name: string;
  let target: string;
  let before: { resourceVersion: string; spec: unknown; status: unknown };

  beforeAll(async () => {
    name = uniqueName("bad");
    target = `${ns.name}/${name}`;
    await agents().create(ns.name, name, spec("info"));
    const agent = await reconciled(ns.kc, ns.name, name);
    // Let the reconciler settle (its last status write) before taking the reference point.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = await agents().get(ns.name, name);
    expect(settled.metadata.resourceVersion).toBeDefined();
    before = { resourceVersion: settled.metadata.resourceVersion, spec: agent.spec, status: settled.status };
  });

  async function expectUnchanged() {
    const after = await agents().get(ns.name, name);
    expect(after.metadata.resourceVersion).toBe(before.resourceVersion);
    expect(after.spec).toEqual(before.spec);
    expect(after.status).toEqual(before.status);
    expect(await db.experiment.count({ where: { agentKey: target } })).toBe(0);
  }

  it("a config that is not a partial spec never becomes a command", async () => {
    const result = await insertCommand(db, {
      clusterId: (await db.cluster.findFirstOrThrow()).id,
      kind: "start-experiment",
      target,
      payload: { experimentId: "x", config: "features: [" },
      actor: "alice",
      source: "dashboard",
    });
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringContaining("invalid start-experiment payload: config"),
    });
    await expectUnchanged();
  });

  it("a field of the wrong type: the API server's rejection is the command's message", async () => {
    const result = await submit(db, "start-experiment", target, {
      experimentId: "x",
      config: { global: { site: 42 } },
    });
    expect(result.status).toBe("rejected");
    expect(result.message).toMatch(
      /^the API server rejected the candidate spec: HTTP 422: .*spec\.global\.site.*must be of type string/,
    );
    await expectUnchanged();
  });

  it("an unknown field would be pruned: refused instead of silently dropped", async () => {
    // A literal secret is refused before it is stored; a row that got in another way (an older
    // dashboard) is rejected by the controller too.
    const secret = { experimentId: "x", config: { global: { credentials: { apiKey: "plain" } } } };
    expect(
      await insertCommand(db, {
        clusterId: (await db.cluster.findFirstOrThrow()).id,
        kind: "start-experiment",
        target,
        payload: secret,
        actor: "alice",
        source: "dashboard",
      }),
    ).toMatchObject({
      ok: false,
      error: expect.stringContaining("literal secret at config.global.credentials.apiKey"),
    });
    const row = await db.command.create({
      data: {
        clusterId: (await db.cluster.findFirstOrThrow()).id,
        kind: "start-experiment",
        target,
        payload: JSON.stringify(secret),
        actor: "alice",
        source: "dashboard",
      },
    });
    const result = await eventually(
      async () => {
        const c = await db.command.findUniqueOrThrow({ where: { id: row.id } });
        expect(c.status).toBe("rejected");
        return c;
      },
      { intervalMs: 20 },
    );
    expect(result.message).toContain("literal secret at global.credentials.apiKey");
    const unknown = await submit(db, "start-experiment", target, {
      experimentId: "x",
      config: { global: { credentials: { apiSecret: { secretName: "s", keyName: "k", extra: 1 } } } },
    });
    expect(unknown).toMatchObject({
      status: "rejected",
      message: expect.stringMatching(/unknown field.*extra/),
    });
    await expectUnchanged();
  });

  it("a config that changes nothing", async () => {
    const result = await submit(db, "start-experiment", target, {
      experimentId: "x",
      config: { global: { logLevel: "info" } },
    });
    expect(result).toMatchObject({
      status: "rejected",
      message: expect.stringContaining(
        "the config changes nothing: the candidate spec is the current revision",
      ),
    });
    await expectUnchanged();
  });

  it("a config that brings in an image or a destination the policy does not allow: refused, naming the field and the host", async () => {
    const allowed = `${DATADOG_SITES.join(", ")}; FLEETDECK_ALLOWED_ENDPOINTS`;
    expect(
      await submit(db, "start-experiment", target, {
        experimentId: "x",
        config: { override: { nodeAgent: { image: { name: "evil.example/agent" } } } },
      }),
    ).toMatchObject({
      status: "rejected",
      message: expect.stringMatching(
        /^refused by fleetdeck's policy: image repository "evil.example\/agent" \(override.nodeAgent.image.name\)/,
      ),
    });
    expect(
      await submit(db, "start-experiment", target, {
        experimentId: "x",
        config: {
          override: {
            nodeAgent: {
              env: [
                { name: "DD_ENV", value: "test" },
                { name: "DD_DD_URL", value: "https://intake.evil.example/api" },
              ],
            },
          },
        },
      }),
    ).toMatchObject({
      status: "rejected",
      message: `refused by fleetdeck's policy: endpoint host "intake.evil.example" (override.nodeAgent.env[1] (DD_DD_URL)) is not an allowed destination for the agents' data (${allowed})`,
    });
    expect(
      await submit(db, "start-experiment", target, {
        experimentId: "x",
        config: { global: { site: "datadoghq.com.evil.example" } },
      }),
    ).toMatchObject({
      status: "rejected",
      message: `refused by fleetdeck's policy: endpoint host "datadoghq.com.evil.example" (global.site) is not an allowed destination for the agents' data (${allowed})`,
    });
    await expectUnchanged();
  });

  it("restore of a revision that does not exist, or is not this agent's", async () => {
    expect(await submit(db, "restore-revision", target, { revision: `${name}-0123456789` })).toMatchObject({
      status: "rejected",
      message: `revision ${name}-0123456789 of ${target} exists neither in the cluster nor in fleetdeck's history`,
    });
    expect(await submit(db, "restore-revision", target, { revision: "other-0123456789" })).toMatchObject({
      status: "rejected",
      message: `"other-0123456789" is not a revision of ${target} (expected ${name}-<10 hex characters>)`,
    });
    await expectUnchanged();
  });

  it("commands on a DatadogAgent that does not exist", async () => {
    expect(
      await submit(db, "start-experiment", `${ns.name}/missing`, {
        experimentId: "x",
        config: { global: { logLevel: "debug" } },
      }),
    ).toMatchObject({
      status: "rejected",
      message: `DatadogAgent ${ns.name}/missing does not exist`,
    });
    expect(
      await submit(db, "restore-revision", `${ns.name}/missing`, { revision: "missing-0123456789" }),
    ).toMatchObject({
      status: "rejected",
      message: `DatadogAgent ${ns.name}/missing does not exist`,
    });
    await expectUnchanged();
  });
});
