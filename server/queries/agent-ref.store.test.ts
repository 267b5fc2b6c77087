// Which cluster's agent a route means: ?cluster= when given, else the one cluster that has it.
import { describe, expect, it } from "vitest";
import { AgentReadModel } from "@/controller/agents/read-model";
import { addCluster, agentSnapshot, queryStore, fullScope } from "@/test/query-store";
import { agentClusterOf } from "./agent-ref";

const db = queryStore();
const all = () => fullScope(db());
const request = (query = "") => new Request(`http://x/api/agents/datadog/agent${query}`);

async function answer(result: string | Response): Promise<[number, unknown]> {
  if (typeof result === "string") throw new Error(`expected an answer, got cluster ${result}`);
  return [result.status, await result.json()];
}

describe("agentClusterOf", () => {
  it("takes the cluster the parameter names, by name or id, or answers 404", async () => {
    await addCluster(db(), "uid-e", "east");
    expect(await agentClusterOf(all(), request("?cluster=east"), "datadog/agent")).toBe("uid-e");
    expect(await agentClusterOf(all(), request("?cluster=uid-e"), "datadog/agent")).toBe("uid-e");
    expect(await answer(await agentClusterOf(all(), request("?cluster=west"), "datadog/agent"))).toEqual([
      404,
      { error: 'no cluster "west" in the fleet' },
    ]);
  });

  it("without a parameter, finds the one cluster with that agent; none is 404, several 400", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    expect(await answer(await agentClusterOf(all(), request(), "datadog/agent"))).toEqual([
      404,
      { error: "no DatadogAgent datadog/agent" },
    ]);
    await new AgentReadModel(db(), "uid-e").syncAgent(agentSnapshot("datadog/agent"));
    expect(await agentClusterOf(all(), request(), "datadog/agent")).toBe("uid-e");
    await new AgentReadModel(db(), "uid-w").syncAgent(agentSnapshot("datadog/agent"));
    expect(await answer(await agentClusterOf(all(), request(), "datadog/agent"))).toEqual([
      400,
      { error: "2 clusters have a DatadogAgent datadog/agent: name one with ?cluster=" },
    ]);
  });
});
