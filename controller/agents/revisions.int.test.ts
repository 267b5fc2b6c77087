// ControllerRevisions against the real API server: upstream's revision CRUD, naming, ownerRef
// and GC tests, their numbering, plus fleetdeck's restore of a revision the cluster dropped, from
// the store, with today's literal secrets (neither copy keeps them).
import { AppsV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../testing/database";
import { testNamespace } from "../../test/harness";
import { agentClient, type AgentObject } from "../../test/agents";
import type { Database } from "../../lib/db/open";
import type { DatadogAgent } from "./api";
import { applyDefaults } from "./defaults";
import { revisionName, specHash } from "./hash";
import { KubeClient } from "../kube/client";
import { loadRevisionSpec, Revisions, RevisionUnavailable } from "./revisions";
import { AgentReadModel } from "./read-model";
import { scopeToCluster } from "../store/cluster-scope";

const ns = testNamespace("revisions");
const apm = (enabled: boolean) => ({ features: { apm: { enabled } } });
const npm = (enabled: boolean) => ({ features: { npm: { enabled } } });

let revisions: Revisions;
let apps: AppsV1Api;
let db: Database;
let store: AgentReadModel;
let agent: DatadogAgent;
// The store as this cluster's controller sees it; another cluster has rows of the same names.
const CLUSTER = "revisions-cluster";
const OTHER = "other-cluster";

beforeAll(async () => {
  revisions = new Revisions(new KubeClient(ns.kc));
  apps = ns.kc.makeApiClient(AppsV1Api);
  ({ db } = await createTestDatabase("revisions"));
  store = new AgentReadModel(scopeToCluster(db, CLUSTER), CLUSTER);
  // No controller runs in this file: these revisions are made by the calls under test only.
  agent = (await agentClient(ns.kc).create(
    ns.name,
    "datadog-agent",
    apm(true),
  )) as AgentObject as DatadogAgent;
});

const names = async () =>
  (await apps.listNamespacedControllerRevision({ namespace: ns.name })).items
    .map((cr) => cr.metadata!.name!)
    .sort();

/** A revision the way upstream's tests make one: owned by `owner` (or by nobody). */
async function make(name: string, spec: object, owner: DatadogAgent | null = agent) {
  if (owner) return revisions.ensure(owner, name, applyDefaults(spec));
  await apps.createNamespacedControllerRevision({
    namespace: ns.name,
    body: {
      metadata: { name, labels: { "app.kubernetes.io/managed-by": "fleetdeck" } },
      data: spec,
      revision: 1,
    },
  });
  return true;
}

describe("ControllerRevision create/get", () => {
  it("creates a new revision <agent>-<hash> holding the defaulted spec", async () => {
    const name = revisionName("datadog-agent", specHash(agent.spec));
    expect(await revisions.ensure(agent, name, applyDefaults(agent.spec))).toBe(true);
    const stored = await revisions.get(ns.name, name, agent);
    expect(stored).toEqual({ name, spec: applyDefaults(apm(true)), owned: true });
  });

  it("an existing revision is success, not a duplicate", async () => {
    const name = revisionName("datadog-agent", specHash(agent.spec));
    expect(await revisions.ensure(agent, name, applyDefaults(agent.spec))).toBe(false);
    expect((await names()).filter((n) => n === name)).toHaveLength(1);
  });

  it("carries a controller ownerReference to the DatadogAgent", async () => {
    const cr = await apps.readNamespacedControllerRevision({
      namespace: ns.name,
      name: revisionName("datadog-agent", specHash(agent.spec)),
    });
    expect(cr.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: "datadoghq.com/v2alpha1",
        kind: "DatadogAgent",
        name: "datadog-agent",
        uid: agent.metadata.uid,
        controller: true,
      }),
    ]);
  });

  it("get: an existing revision is returned, a missing one is undefined", async () => {
    await make("test-revision", apm(true));
    expect((await revisions.get(ns.name, "test-revision"))?.name).toBe("test-revision");
    expect(await revisions.get(ns.name, "nonexistent")).toBeUndefined();
  });

  it("listOwned filters out revisions this agent does not own", async () => {
    await make("unowned-rev", apm(true), null);
    const owned = await revisions.listOwned(agent);
    expect(owned).toContain("test-revision");
    expect(owned).not.toContain("unowned-rev");
  });
});

describe("restoring a revision's spec", () => {
  it("reads the baseline's spec from its ControllerRevision", async () => {
    await make("baseline", apm(true));
    expect(await loadRevisionSpec({ revisions, readModel: store }, agent, "baseline")).toEqual(
      applyDefaults(apm(true)),
    );
  });

  it("a revision neither in the cluster nor in SQLite is an error naming it", async () => {
    await expect(
      loadRevisionSpec({ revisions, readModel: store }, agent, "nonexistent-revision"),
    ).rejects.toThrow(
      new RevisionUnavailable(
        `revision nonexistent-revision of ${ns.name}/datadog-agent exists neither in the cluster nor in fleetdeck's history`,
      ),
    );
  });

  it("re-creates a revision the cluster dropped from SQLite's copy, owned again", async () => {
    const key = `${ns.name}/datadog-agent`;
    const spec = applyDefaults(npm(true));
    const name = revisionName("datadog-agent", specHash(spec));
    await db.agentRevision.create({
      data: {
        clusterId: CLUSTER,
        agentKey: key,
        name,
        hash: specHash(spec),
        spec: JSON.stringify(spec),
        cause: "user-edit",
        actor: "t",
        inCluster: false,
      },
    });
    expect(await revisions.get(ns.name, name)).toBeUndefined();
    expect(await loadRevisionSpec({ revisions, readModel: store }, agent, name)).toEqual(spec);
    expect(await revisions.get(ns.name, name, agent)).toEqual({ name, spec, owned: true });
    expect((await db.agentRevision.findFirstOrThrow({ where: { name } })).inCluster).toBe(true);
  });

  it("a copy whose literal secret was redacted takes today's; refused when the current spec has none there", async () => {
    const key = `${ns.name}/datadog-agent`;
    await db.agentRevision.create({
      data: {
        clusterId: CLUSTER,
        agentKey: key,
        name: "datadog-agent-aaaaaaaaaa",
        hash: "aaaaaaaaaa",
        spec: JSON.stringify({ global: { credentials: { apiKey: "[redacted]" }, site: "datadoghq.eu" } }),
        specRedacted: true,
        cause: "user-edit",
        actor: "t",
      },
    });
    await expect(
      loadRevisionSpec({ revisions, readModel: store }, agent, "datadog-agent-aaaaaaaaaa"),
    ).rejects.toThrow(
      `revision datadog-agent-aaaaaaaaaa of ${key} held a literal secret at global.credentials.apiKey, which fleetdeck does not keep and the current spec no longer has, so it cannot be restored`,
    );
    expect(await revisions.get(ns.name, "datadog-agent-aaaaaaaaaa")).toBeUndefined();

    const withKey = { ...agent, spec: { global: { credentials: { apiKey: "todays-placeholder-key" } } } };
    expect(
      await loadRevisionSpec({ revisions, readModel: store }, withKey, "datadog-agent-aaaaaaaaaa"),
    ).toEqual({ global: { credentials: { apiKey: "todays-placeholder-key" }, site: "datadoghq.eu" } });
    // Re-created without the literal.
    expect((await revisions.get(ns.name, "datadog-agent-aaaaaaaaaa"))?.spec).toEqual({
      global: { credentials: { apiKey: "[redacted]" }, site: "datadoghq.eu" },
    });
  });

  it("never restores from another cluster's history, even for an agent of the same name", async () => {
    const key = `${ns.name}/datadog-agent`;
    const spec = applyDefaults(apm(false));
    const name = revisionName("datadog-agent", specHash(spec));
    await db.agentRevision.create({
      data: {
        clusterId: OTHER,
        agentKey: key,
        name,
        hash: specHash(spec),
        spec: JSON.stringify(spec),
        cause: "user-edit",
        actor: "t",
        inCluster: false,
      },
    });
    await expect(loadRevisionSpec({ revisions, readModel: store }, agent, name)).rejects.toThrow(
      RevisionUnavailable,
    );
    expect(await revisions.get(ns.name, name)).toBeUndefined();
  });
});

describe("numbering (a DaemonSet's history)", () => {
  it("a new revision gets the next number; one that becomes current again is renumbered last", async () => {
    const owner = (await agentClient(ns.kc).create(
      ns.name,
      "numbered",
      apm(true),
    )) as AgentObject as DatadogAgent;
    const [a, b] = [apm(true), npm(true)].map((s) => revisionName("numbered", specHash(s)));
    await revisions.ensure(owner, a!, applyDefaults(apm(true)));
    await revisions.ensure(owner, b!, applyDefaults(npm(true)));
    expect(await revisions.history(owner)).toEqual([a, b]);
    await revisions.ensure(owner, a!, applyDefaults(apm(true)));
    expect(await revisions.history(owner)).toEqual([b, a]);
    const numbers = (await apps.listNamespacedControllerRevision({ namespace: ns.name })).items
      .filter((cr) => [a, b].includes(cr.metadata!.name!))
      .map((cr) => [cr.metadata!.name, cr.revision]);
    expect(Object.fromEntries(numbers)).toEqual({ [a!]: 3, [b!]: 2 });
  });

  it("keeps no literal secret in the cluster's copy", async () => {
    const owner = (await agentClient(ns.kc).create(ns.name, "literal", {
      global: { credentials: { apiKey: "placeholder-in-spec-only" } },
    })) as AgentObject as DatadogAgent;
    const name = revisionName("literal", specHash(owner.spec));
    await revisions.ensure(owner, name, applyDefaults(owner.spec));
    const cr = await apps.readNamespacedControllerRevision({ namespace: ns.name, name });
    expect(JSON.stringify(cr.data)).not.toContain("placeholder-in-spec-only");
    expect(await loadRevisionSpec({ revisions, readModel: store }, owner, name)).toMatchObject({
      global: { credentials: { apiKey: "placeholder-in-spec-only" } },
    });
  });
});

describe("garbage collection", () => {
  it("keeps current, previous and baseline; deletes owned orphans; leaves unowned revisions alone", async () => {
    for (const name of ["current-rev", "previous-rev", "baseline-rev", "orphan-1", "orphan-2"])
      await make(name, apm(true));
    const { deleted } = await revisions.garbageCollect(
      agent,
      new Set(["current-rev", "previous-rev", "baseline-rev"]),
    );
    expect(deleted).toEqual(expect.arrayContaining(["orphan-1", "orphan-2"]));
    const left = await names();
    expect(left).toEqual(
      expect.arrayContaining(["current-rev", "previous-rev", "baseline-rev", "unowned-rev"]),
    );
    expect(left).not.toContain("orphan-1");
    expect(left).not.toContain("orphan-2");
    expect(await revisions.listOwned(agent)).toEqual(
      expect.arrayContaining(["current-rev", "previous-rev", "baseline-rev"]),
    );
    expect((await revisions.listOwned(agent)).length).toBe(3);
  });

  it("all kept: nothing deleted", async () => {
    const { deleted, kept } = await revisions.garbageCollect(
      agent,
      new Set(["current-rev", "previous-rev", "baseline-rev"]),
    );
    expect(deleted).toEqual([]);
    expect(kept.sort()).toEqual(["baseline-rev", "current-rev", "previous-rev"]);
  });

  it("no revisions at all: no error", async () => {
    const other = (await agentClient(ns.kc).create(
      ns.name,
      "empty-agent",
      npm(true),
    )) as AgentObject as DatadogAgent;
    expect(await revisions.garbageCollect(other, new Set(["anything"]))).toEqual({ deleted: [], kept: [] });
  });
});
