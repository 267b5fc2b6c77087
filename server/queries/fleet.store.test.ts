// The fleet page: a card per cluster, what needs attention, and the fleet's totals, from rows
// of several clusters in one store.
import { describe, expect, it } from "vitest";
import { AgentReadModel } from "@/controller/agents/read-model";
import { addCluster, addHeartbeat, agentSnapshot, rollout, queryStore, fullScope } from "@/test/query-store";
import { fleetOverview } from "./fleet";

const db = queryStore();
const all = () => fullScope(db());
const MIN = 60_000;

async function experiment(
  agents: AgentReadModel,
  agentKey: string,
  id: string,
  startedAt: Date,
  timeoutSeconds: number,
) {
  await agents.startExperiment({
    agentKey,
    experimentId: id,
    actor: "alice",
    source: "dashboard",
    timeoutSeconds,
    baselineRevision: "agent-aaa",
    candidateRevision: "agent-bbb",
    config: {},
    startedAt,
    healthGate: { enabled: true, thresholdPercent: 10, graceSeconds: 120 },
  });
}

async function forwarder(clusterId: string, name: string, state: string) {
  await db().metadataForwarder.create({
    data: {
      clusterId,
      name,
      state,
      intakeUrl: "http://intake",
      controllerId: "c",
      heartbeatSeconds: 600,
      updatedAt: new Date(),
    },
  });
}

async function failedSend(clusterId: string, at: Date) {
  await db().metadataSend.create({
    data: {
      clusterId,
      at,
      forwarder: "crd",
      kind: "DatadogAgent",
      object: "datadog/agent",
      reason: "update",
      status: "failed",
      payload: "",
      sizeBytes: 0,
    },
  });
}

async function spotWorkload(
  clusterId: string,
  name: string,
  workload: { optedIn?: boolean; disabledUntil?: Date } = {},
) {
  await db().spotWorkload.create({
    data: {
      clusterId,
      key: `Deployment/shop/${name}`,
      kind: "Deployment",
      namespace: "shop",
      name,
      optedIn: workload.optedIn ?? true,
      percentage: 70,
      minOnDemand: 1,
      spotPods: 0,
      onDemandPods: 3,
      pendingSpotPods: 0,
      targetSpot: 2,
      targetOnDemand: 1,
      disabledUntil: workload.disabledUntil ?? null,
      updatedAt: new Date(),
    },
  });
}

describe("fleetOverview", () => {
  it("gives each cluster, by name, its controllers, counts, forwarding, spot and leader's gate", async () => {
    const now = Date.now();
    await addCluster(db(), "uid-w", "west");
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-q", "quiet");
    // East: a leader and a standby running, one stopped an hour ago, one stopped two days ago.
    await addHeartbeat(db(), "uid-e", "east-a", { isLeader: true, lastSeenAt: new Date(now - 1000) });
    await addHeartbeat(db(), "uid-e", "east-b", { lastSeenAt: new Date(now - 2000) });
    await addHeartbeat(db(), "uid-e", "east-old", {
      lastSeenAt: new Date(now - 60 * MIN),
      stoppedAt: new Date(now - 60 * MIN),
    });
    await addHeartbeat(db(), "uid-e", "east-gone", {
      lastSeenAt: new Date(now - 48 * 60 * MIN),
      stoppedAt: new Date(now - 48 * 60 * MIN),
    });
    await addHeartbeat(db(), "uid-w", "west-a", { isLeader: true });
    const east = new AgentReadModel(db(), "uid-e");
    await east.syncAgent(agentSnapshot("datadog/a"));
    await east.syncAgent(agentSnapshot("datadog/b"));
    await east.syncAgent(agentSnapshot("datadog/deleted"));
    await east.markDeleted("datadog/deleted");
    await new AgentReadModel(db(), "uid-w").syncAgent(agentSnapshot("datadog/a"));
    await experiment(east, "datadog/a", "exp-1", new Date(now), 3600);
    await forwarder("uid-e", "crd", "on");
    await forwarder("uid-e", "helm", "on");
    await forwarder("uid-w", "crd", "off");
    await failedSend("uid-w", new Date(now - 20 * MIN)); // too old to count
    await spotWorkload("uid-e", "web");
    await spotWorkload("uid-e", "gone", { optedIn: false });
    for (const [controllerId, open] of [
      ["east-a", true],
      ["east-b", false],
    ] as const)
      await db().autoscalingGate.create({
        data: {
          clusterId: "uid-e",
          controllerId,
          workloadEnabled: true,
          podStoreEager: false,
          open,
          openedAt: open ? new Date(now - MIN) : null,
          openedByKind: open ? "DatadogPodAutoscaler" : null,
          openedByName: open ? "shop/web" : null,
          podsCached: 0,
          podStoreBytes: 0,
          updatedAt: new Date(),
        },
      });

    const fleet = await fleetOverview(all(), now);
    expect(fleet.clusters.map((c) => c.name)).toEqual(["east", "quiet", "west"]);
    const [eastCard, quietCard, westCard] = fleet.clusters;
    expect(eastCard!.controllers.map((c) => c.controllerId)).toEqual(["east-a", "east-b", "east-old"]);
    expect(eastCard).toMatchObject({
      id: "uid-e",
      kubernetesVersion: "v1.34.4",
      agents: 2,
      runningExperiments: 1,
      forwarding: { health: "forwarding", failedRecently: 0, states: { crd: "on", helm: "on" } },
      spot: { workloads: 1, fallbacks: 0 },
      gate: { workloadEnabled: true, open: true, openedBy: "DatadogPodAutoscaler shop/web" },
    });
    expect(quietCard).toMatchObject({
      controllers: [],
      agents: 0,
      forwarding: { health: "unknown" },
      gate: null,
    });
    expect(westCard).toMatchObject({
      agents: 1,
      forwarding: { health: "off", failedRecently: 0 },
      gate: null,
    });
    expect(fleet.attention).toEqual([]);
    expect(fleet.totals).toEqual({
      clusters: 3,
      agents: 3,
      runningExperiments: 1,
      spotFallbacks: 0,
      openGates: 1,
    });
  });

  it("lists what needs attention: unhealthy agents and candidates, timeouts near, fallbacks, failing forwarders", async () => {
    const now = Date.now();
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    const east = new AgentReadModel(db(), "uid-e");
    const west = new AgentReadModel(db(), "uid-w");
    for (const key of ["datadog/sick", "datadog/fine", "datadog/trial", "datadog/deleted"])
      await east.syncAgent(agentSnapshot(key));
    const candidate = {
      ...rollout(3, 3),
      candidate: {
        experimentId: "exp-9",
        revision: "trial-bbb",
        hash: "bbb",
        pods: 3,
        ready: 0,
        unavailable: 3,
        failing: 3,
        desired: 3,
        state: "unhealthy" as const,
        tripsAt: null,
        summary: "3 of 3 pods failing",
        thresholdPercent: 50,
        graceSeconds: 60,
        enabled: true,
      },
    };
    await east.syncRollouts(
      new Map([
        ["datadog/sick", rollout(1, 3, 2)],
        ["datadog/fine", rollout(3, 3)],
        ["datadog/trial", candidate],
        ["datadog/deleted", rollout(0, 3, 3)],
      ]),
    );
    await east.markDeleted("datadog/deleted");
    // Ends in 2 minutes (close), and one with an hour left (not).
    await experiment(west, "datadog/a", "exp-close", new Date(now - 8 * MIN), 600);
    await experiment(west, "datadog/b", "exp-far", new Date(now), 3600);
    await spotWorkload("uid-w", "web", { disabledUntil: new Date(now + 5 * MIN) });
    await spotWorkload("uid-w", "api", { disabledUntil: new Date(now - MIN) });
    await forwarder("uid-w", "crd", "on");
    await failedSend("uid-w", new Date(now - 2 * MIN));
    await failedSend("uid-w", new Date(now - 3 * MIN));

    const fleet = await fleetOverview(all(), now);
    expect(fleet.attention.map((a) => [a.kind, a.clusterName, a.subject])).toEqual([
      ["agent-unhealthy", "east", "datadog/sick"],
      ["experiment-unhealthy", "east", "datadog/trial"],
      ["experiment-timeout", "west", "datadog/a"],
      ["spot-fallback", "west", "shop/web"],
      ["forwarder-failing", "west", ""],
    ]);
    expect(fleet.attention.map((a) => a.detail)).toEqual([
      "1/3 agents ready; 2 pods failing (CrashLoopBackOff)",
      "experiment exp-9: the candidate is unhealthy (3 of 3 pods failing)",
      "experiment exp-close times out in 2 min: promote or stop it",
      expect.stringMatching(/^spot disabled until .*: its pods go to on-demand nodes$/),
      "2 metadata sends failed in the last 10 minutes",
    ]);
    const westCard = fleet.clusters.find((c) => c.name === "west")!;
    expect(westCard).toMatchObject({
      runningExperiments: 2,
      spot: { workloads: 2, fallbacks: 1 },
      forwarding: { health: "failing", failedRecently: 2 },
    });
    expect(fleet.totals).toMatchObject({ spotFallbacks: 1, runningExperiments: 2 });
  });
});
