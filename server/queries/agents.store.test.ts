// The agents list and an agent's page, from rows the controller's read model writes.
import { describe, expect, it } from "vitest";
import { commandAccess, encodeSubject } from "@/lib/access";
import { AccessReadModel } from "@/controller/access/read-model";
import { AgentReadModel } from "@/controller/agents/read-model";
import {
  addCluster,
  agentSnapshot,
  rollout,
  queryStore,
  fullScope,
  scopeOfActor,
  viewAnswers,
} from "@/test/query-store";
import type { Actor } from "../actor";
import { clustersWithAgent, getAgent, listAgents } from "./agents";

const db = queryStore();
const all = () => fullScope(db());
const alice: Actor = { name: "alice", via: "proxy", subject: { user: "alice", groups: ["sre"] } };

async function twoClusters() {
  await addCluster(db(), "uid-w", "west");
  await addCluster(db(), "uid-e", "east");
  return { east: new AgentReadModel(db(), "uid-e"), west: new AgentReadModel(db(), "uid-w") };
}

describe("listAgents", () => {
  it("lists every cluster's agents by cluster name, then namespace and name, deleted ones last", async () => {
    const { east, west } = await twoClusters();
    await west.syncAgent(agentSnapshot("datadog/agent"));
    await east.syncAgent(agentSnapshot("monitoring/agent"));
    await east.syncAgent(agentSnapshot("datadog/agent"));
    await east.syncAgent(agentSnapshot("datadog/old"));
    await east.markDeleted("datadog/old");
    const rows = await listAgents(all());
    expect(rows.map((r) => `${r.clusterName} ${r.key} ${r.deleted}`)).toEqual([
      "east datadog/agent false",
      "east monitoring/agent false",
      "west datadog/agent false",
      "east datadog/old true",
    ]);
    expect((await listAgents(all(), { clusterId: "uid-w" })).map((r) => `${r.clusterId} ${r.key}`)).toEqual([
      "uid-w datadog/agent",
    ]);
    expect(await listAgents(all(), { clusterId: "uid-none" })).toEqual([]);
  });

  it("shows the phase, the rollout's health and a redacted render error", async () => {
    const { east } = await twoClusters();
    await east.syncAgent(
      agentSnapshot("datadog/agent", {
        status: { currentRevision: "agent-abc", experiment: { id: "exp-1", phase: "running" } },
        renderError: "apply failed: Authorization: Bearer abcdef123456",
      }),
    );
    await east.syncRollouts(new Map([["datadog/agent", rollout(2, 3, 1)]]));
    const [row] = await listAgents(all());
    expect(row).toMatchObject({
      clusterName: "east",
      phase: "running",
      experimentId: "exp-1",
      currentRevision: "agent-abc",
      renderError: "apply failed: Authorization: Bearer [redacted]",
      health: { state: "degraded", ready: 2, desired: 3, failingPods: 1, nodes: 3, covered: 2 },
    });
    expect(row!.health!.revisions).toEqual([{ revision: "datadog-abc", pods: 3, current: true }]);
    expect(row!.reconciledAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it("labels an agent of a cluster that never registered with its id", async () => {
    await new AgentReadModel(db(), "uid-unregistered").syncAgent(agentSnapshot("datadog/agent"));
    expect((await listAgents(all()))[0]).toMatchObject({
      clusterId: "uid-unregistered",
      clusterName: "uid-unregistered",
    });
  });
});

describe("clustersWithAgent", () => {
  it("names the clusters that have (or had) an agent of the key", async () => {
    const { east, west } = await twoClusters();
    await east.syncAgent(agentSnapshot("datadog/agent"));
    await west.syncAgent(agentSnapshot("datadog/agent"));
    await west.syncAgent(agentSnapshot("datadog/other"));
    await west.markDeleted("datadog/other");
    expect((await clustersWithAgent(all(), "datadog/agent")).sort()).toEqual(["uid-e", "uid-w"]);
    expect(await clustersWithAgent(all(), "datadog/other")).toEqual(["uid-w"]);
    expect(await clustersWithAgent(all(), "datadog/Agent")).toEqual([]);
  });
});

describe("getAgent", () => {
  it("is the agent of that cluster, its spec redacted, or null", async () => {
    const { east, west } = await twoClusters();
    await east.syncAgent(
      agentSnapshot("datadog/agent", {
        generation: 4,
        spec: { global: { credentials: { apiKey: "0123456789abcdef0123456789abcdef" } } },
      }),
    );
    await west.syncAgent(agentSnapshot("datadog/agent", { generation: 9 }));
    const agent = await getAgent(all(), "uid-e", "datadog/agent");
    expect(agent).toMatchObject({
      clusterName: "east",
      generation: 4,
      spec: { global: { credentials: { apiKey: "[redacted]" } } },
      experiment: null,
      rollout: null,
      permission: { state: "allowed" },
    });
    expect((await getAgent(all(), "uid-w", "datadog/agent"))?.generation).toBe(9);
    expect(await getAgent(all(), "uid-e", "datadog/missing")).toBeNull();
    expect(await getAgent(all(), "uid-none", "datadog/agent")).toBeNull();
  });

  it("gives a person's permission as that cluster's controller stored it", async () => {
    const { east, west } = await twoClusters();
    await east.syncAgent(agentSnapshot("datadog/agent"));
    await west.syncAgent(agentSnapshot("datadog/agent"));
    // No answers yet: nothing of the cluster is shown.
    expect(await getAgent(await scopeOfActor(db(), alice), "uid-e", "datadog/agent")).toBeNull();
    const access = commandAccess("restore-revision", "datadog/agent", {})!;
    const sees = viewAnswers({ agents: ["datadog"] });
    await new AccessReadModel(db(), "uid-e").write(alice.subject!, [
      ...sees,
      { access, allowed: false, reason: "alice may not update datadogagents" },
    ]);
    await new AccessReadModel(db(), "uid-w").write(alice.subject!, [
      ...sees,
      { access, allowed: true, reason: "" },
    ]);
    const scope = await scopeOfActor(db(), alice);
    expect((await getAgent(scope, "uid-e", "datadog/agent"))?.permission).toEqual({
      state: "denied",
      reason: "alice may not update datadogagents",
    });
    expect((await getAgent(scope, "uid-w", "datadog/agent"))?.permission).toEqual({
      state: "allowed",
      reason: "",
    });
    // The dashboard noted the person, so the controllers keep their answers current.
    expect(
      await db().accessSubject.findUnique({ where: { key: encodeSubject(alice.subject!) } }),
    ).not.toBeNull();
  });
});
