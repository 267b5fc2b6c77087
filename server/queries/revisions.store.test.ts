// An agent's revision history as the controller's read model records it.
import { describe, expect, it } from "vitest";
import { AgentReadModel } from "@/controller/agents/read-model";
import { agentSnapshot, queryStore, fullScope } from "@/test/query-store";
import { listRevisions } from "./revisions";

const db = queryStore();
const all = () => fullScope(db());

async function history(clusterId: string, key: string, names: string[]) {
  const agents = new AgentReadModel(db(), clusterId);
  for (const [i, name] of names.entries()) {
    await agents.syncAgent(agentSnapshot(key, { status: { currentRevision: name } }), {
      revision: {
        agentKey: key,
        name,
        hash: name.slice(-3),
        spec: { global: { site: `site-${i}`, credentials: { apiKey: "0123456789abcdef0123456789abcdef" } } },
        cause: i === 0 ? "user-edit" : "experiment-start",
        actor: "alice",
        ...(i > 0 ? { experimentId: `exp-${i}` } : {}),
      },
    });
  }
}

describe("listRevisions", () => {
  it("lists one agent's history of one cluster, newest first, specs redacted", async () => {
    await history("uid-e", "datadog/agent", ["agent-aaa", "agent-bbb", "agent-ccc"]);
    await history("uid-w", "datadog/agent", ["agent-www"]);
    await history("uid-e", "datadog/other", ["other-ooo"]);
    const rows = await listRevisions(all(), "uid-e", "datadog/agent");
    expect(rows.map((r) => [r.name, r.cause, r.experimentId])).toEqual([
      ["agent-ccc", "experiment-start", "exp-2"],
      ["agent-bbb", "experiment-start", "exp-1"],
      ["agent-aaa", "user-edit", null],
    ]);
    expect(rows[0]).toMatchObject({
      spec: { global: { site: "site-2", credentials: { apiKey: "[redacted]" } } },
      specRedacted: true,
      inCluster: true,
      actor: "alice",
    });
    expect(rows[0]).not.toHaveProperty("clusterId");
    expect(rows[0]).not.toHaveProperty("agentKey");
    expect(rows[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect((await listRevisions(all(), "uid-e", "datadog/agent", 2)).map((r) => r.name)).toEqual([
      "agent-ccc",
      "agent-bbb",
    ]);
    expect((await listRevisions(all(), "uid-w", "datadog/agent")).map((r) => r.name)).toEqual(["agent-www"]);
    expect(await listRevisions(all(), "uid-e", "datadog/missing")).toEqual([]);
  });

  it("keeps a deleted agent's history, marked as no longer in the cluster", async () => {
    await history("uid-e", "datadog/agent", ["agent-aaa"]);
    await new AgentReadModel(db(), "uid-e").markDeleted("datadog/agent");
    expect(await listRevisions(all(), "uid-e", "datadog/agent")).toMatchObject([
      { name: "agent-aaa", inCluster: false },
    ]);
  });
});
