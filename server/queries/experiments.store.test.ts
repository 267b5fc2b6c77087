// Experiments as the controller records them: started, running, ended.
import { describe, expect, it } from "vitest";
import { AgentReadModel } from "@/controller/agents/read-model";
import { addCluster, queryStore, fullScope } from "@/test/query-store";
import { listExperiments } from "./experiments";

const db = queryStore();
const all = () => fullScope(db());

async function experiment(
  agents: AgentReadModel,
  agentKey: string,
  experimentId: string,
  run: { startedAt?: Date; ended?: boolean } = {},
) {
  await agents.startExperiment({
    agentKey,
    experimentId,
    actor: "alice",
    source: "dashboard",
    timeoutSeconds: 600,
    baselineRevision: "agent-aaa",
    candidateRevision: "agent-bbb",
    startedAt: run.startedAt ?? null,
    healthGate: { enabled: true, thresholdPercent: 10, graceSeconds: 120 },
    config: {
      override: { nodeAgent: { env: [{ name: "DD_API_KEY", value: "0123456789abcdef0123456789abcdef" }] } },
    },
  });
  if (run.ended) {
    await agents.decideEnd(
      agentKey,
      experimentId,
      { end: "stopped", detail: "stopped: Authorization: Bearer abcdef123456", endedBy: "bob" },
      {
        actor: "bob",
        action: "experiment.stop-requested",
        targetKind: "DatadogAgent",
        target: agentKey,
        details: {},
      },
    );
  }
}

describe("listExperiments", () => {
  it("lists the fleet's, a cluster's or an agent's experiments, newest first", async () => {
    await addCluster(db(), "uid-e", "east");
    const east = new AgentReadModel(db(), "uid-e");
    const west = new AgentReadModel(db(), "uid-w");
    await experiment(east, "datadog/agent", "exp-1");
    await experiment(west, "datadog/agent", "exp-2");
    await experiment(east, "datadog/other", "exp-3");
    const fleet = await listExperiments(all());
    expect(fleet.map((e) => `${e.clusterName} ${e.agentKey} ${e.experimentId}`)).toEqual([
      "east datadog/other exp-3",
      "uid-w datadog/agent exp-2",
      "east datadog/agent exp-1",
    ]);
    expect((await listExperiments(all(), { clusterId: "uid-e" })).map((e) => e.experimentId)).toEqual([
      "exp-3",
      "exp-1",
    ]);
    expect((await listExperiments(all(), { agentKey: "datadog/agent" })).map((e) => e.experimentId)).toEqual([
      "exp-2",
      "exp-1",
    ]);
    expect(
      (await listExperiments(all(), { clusterId: "uid-e", agentKey: "datadog/agent" })).map(
        (e) => e.experimentId,
      ),
    ).toEqual(["exp-1"]);
    expect((await listExperiments(all(), {}, 1)).map((e) => e.experimentId)).toEqual(["exp-3"]);
  });

  it("shows the config and the reason redacted, and how long an ended experiment ran", async () => {
    const agents = new AgentReadModel(db(), "uid-e");
    await experiment(agents, "datadog/agent", "exp-1", {
      startedAt: new Date(Date.now() - 90_000),
      ended: true,
    });
    await experiment(agents, "datadog/agent", "exp-2", { startedAt: new Date() });
    const [running, ended] = await listExperiments(all());
    expect(running).toMatchObject({
      experimentId: "exp-2",
      phase: "running",
      outcome: null,
      durationSeconds: null,
    });
    expect(ended).toMatchObject({
      experimentId: "exp-1",
      outcome: "rolled-back",
      endedBy: "bob",
      reason: "stopped: Authorization: Bearer [redacted]",
      config: { override: { nodeAgent: { env: [{ name: "DD_API_KEY", value: "[redacted]" }] } } },
    });
    // From its start to its end: 90 s, give or take the test's own time.
    expect(ended!.durationSeconds).toBeGreaterThanOrEqual(90);
    expect(ended!.durationSeconds).toBeLessThan(120);
    expect(ended!.endedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });
});
