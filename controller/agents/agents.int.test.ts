// The DatadogAgent reconciler on the real API server: rendering, revision history and GC,
// restore-revision, bad input refused with nothing changed, render failures, deletion.
import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCommand } from "../../lib/db/commands";
import type { Database } from "../../lib/db/open";
import {
  agentClient,
  agentEvents,
  createApiKeySecret,
  reconciled,
  startAgents,
  submit,
} from "../../test/agents";
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
  await eventually(async () =>
    expect((await reconciled(ns.kc, ns.name, name)).status?.currentRevision).toBe(expected),
  );
  return expected;
}

describe("reconcile", () => {
  it("snapshots the spec, renders owned workloads with the API key as a Secret reference, and fills the read model", async () => {
    const name = uniqueName("render");
    await agents().create(ns.name, name, spec("info"));
    const agent = await reconciled(ns.kc, ns.name, name);
    const revision = revisionName(name, specHash(spec("info")));
    expect(agent.status).toMatchObject({ currentRevision: revision, observedGeneration: 1 });
    expect(agent.status?.previousRevision).toBeUndefined();

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
  });

  it("reports workloads it cannot render as a Warning Event and in the read model, and still reconciles", async () => {
    const name = uniqueName("badrender");
    await agents().create(ns.name, name, { override: { nodeAgent: { tolerations: "everything" } } });
    const agent = await reconciled(ns.kc, ns.name, name);
    expect(agent.status?.currentRevision).toBeDefined();
    await eventually(async () => {
      const event = (await agentEvents(ns.kc, ns.name, name)).find((e) => e.reason === "RenderFailed");
      expect(event?.type).toBe("Warning");
      expect(event?.note).toContain("override.nodeAgent.tolerations must be a list of tolerations");
    });
    await eventually(async () => {
      const row = await db.agent.findFirstOrThrow({ where: { key: `${ns.name}/${name}` } });
      expect(row.renderError).toBe("override.nodeAgent.tolerations must be a list of tolerations");
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
    await eventually(async () => {
      const a = await reconciled(ns.kc, ns.name, name);
      expect(a.status?.currentRevision).toBe(first);
      expect(specHash(a.spec)).toBe(specHash(spec("info")));
    });
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
    await eventually(async () =>
      expect((await reconciled(ns.kc, ns.name, name)).status?.currentRevision).toBe(redirected),
    );
    const current = await edit(name, "debug");
    expect(await submit(db, "restore-revision", target, { revision: redirected })).toMatchObject({
      status: "rejected",
      message: `refused by fleetdeck's policy: endpoint host "intake.evil.example" (global.site) is not an allowed destination for the agents' data (${DATADOG_SITES.join(", ")}; FLEETDECK_ALLOWED_ENDPOINTS)`,
    });
    const after = await agents().get(ns.name, name);
    expect(after.status?.currentRevision).toBe(current);
    expect(after.spec).toEqual(spec("debug"));
  });

  it("is refused while an experiment runs", async () => {
    const name = uniqueName("busy");
    const target = `${ns.name}/${name}`;
    await agents().create(ns.name, name, spec("info"));
    const base = (await reconciled(ns.kc, ns.name, name)).status!.currentRevision!;
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
