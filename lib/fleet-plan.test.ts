import { describe, expect, it } from "vitest";
import { fleetRequestRefusal, parseFleetSpec, type FleetExperimentSpecInput } from "./fleet-experiments";
import { planFleetExperiment, planKey, type AgentFacts, type ClusterFacts } from "./fleet-plan";

const allowed = { state: "allowed", reason: "" } as const;

function agent(key: string, extra: Partial<AgentFacts> = {}): AgentFacts {
  return {
    key,
    labels: { app: "datadog" },
    spec: { features: { apm: { enabled: false } } },
    currentRevision: `${key.split("/")[1]}-0123456789`,
    activeExperiment: null,
    nodes: 6,
    pods: 7,
    permission: allowed,
    ...extra,
  };
}

function cluster(
  name: string,
  labels: Record<string, string>,
  extra: Partial<ClusterFacts> = {},
): ClusterFacts {
  return {
    id: `id-${name}`,
    name,
    labels,
    report: "reporting",
    lastHeartbeatAt: "2026-12-01T12:00:00.000Z",
    agents: [agent("datadog/datadog")],
    inFleetExperiment: null,
    ...extra,
  };
}

function spec(extra: Partial<FleetExperimentSpecInput> = {}) {
  const parsed = parseFleetSpec({
    name: "apm-on",
    config: { features: { apm: { enabled: true } } },
    agents: ["datadog/datadog"],
    waves: [{ clusters: ["canary"] }, { percent: 100, approval: "manual", bakeSeconds: 60 }],
    ...extra,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.spec;
}

const fleet = [
  cluster("canary", { env: "staging" }),
  cluster("east", { env: "prod", region: "us" }),
  cluster("west", { env: "prod", region: "eu" }),
];

describe("the spec", () => {
  it.each<[string, Partial<FleetExperimentSpecInput>, string]>([
    ["no target", { agents: undefined }, "exactly one of agents or agentSelector"],
    ["both targets", { agentSelector: "app=datadog" }, "exactly one of agents or agentSelector"],
    ["a wave with two selections", { waves: [{ clusters: ["a"], percent: 10 }] }, "exactly one of clusters"],
    ["no wave", { waves: [] }, "at least one wave"],
    ["a bad selector", { waves: [{ clusterSelector: "env in ()" }] }, "needs at least one value"],
    [
      "a timeout shorter than the bake",
      { timeoutSeconds: 100 },
      "timeoutSeconds: each cluster's experiment must outlive its bake: at least 120 s",
    ],
    ["a bad name", { name: "has space" }, "name: experiment id may contain"],
    ["a config that changes nothing", { config: {} as never }, "config: the experiment config must change"],
  ])("refuses %s", (_name, extra, message) => {
    const parsed = parseFleetSpec({
      name: "apm-on",
      config: { features: { apm: { enabled: true } } },
      agents: ["datadog/datadog"],
      waves: [{ clusters: ["canary"] }, { percent: 100, bakeSeconds: 60 }],
      ...extra,
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it("defaults each wave to no bake and automatic approval", () => {
    expect(spec().waves[0]).toEqual({ clusters: ["canary"], bakeSeconds: 0, approval: "automatic" });
  });
});

describe("the plan", () => {
  it("assigns clusters to waves by name, selector and share of the rest, with nodes and pods", () => {
    const result = planFleetExperiment(
      spec({ waves: [{ clusters: ["canary"] }, { clusterSelector: "region=eu" }, { percent: 50 }] }),
      fleet,
    );
    expect(result.ok).toBe(true);
    expect(result.plan.waves.map((w) => w.clusters.map((c) => c.clusterName))).toEqual([
      ["canary"],
      ["west"],
      ["east"],
    ]);
    expect(result.plan.waves[0]!.clusters[0]!.agents).toEqual([
      { key: "datadog/datadog", currentRevision: "datadog-0123456789", nodes: 6, pods: 7 },
    ]);
    expect(result.plan.leftOut).toEqual([]);
  });

  it("a share is of the eligible clusters no earlier wave took, rounded up; the rest is left out as no-wave", () => {
    const five = ["a", "b", "c", "d", "e"].map((n) => cluster(n, {}));
    const result = planFleetExperiment(spec({ waves: [{ percent: 20 }, { percent: 50 }] }), five);
    expect(result.plan.waves.map((w) => w.clusters.map((c) => c.clusterName))).toEqual([["a"], ["b", "c"]]);
    expect(result.plan.leftOut.map((l) => [l.clusterName, l.reason])).toEqual([
      ["d", "no-wave"],
      ["e", "no-wave"],
    ]);
  });

  it("maxConcurrent is at most the wave's size, all of it by default", () => {
    const result = planFleetExperiment(
      spec({
        waves: [
          { clusters: ["canary"], maxConcurrent: 5 },
          { percent: 100, maxConcurrent: 1 },
        ],
      }),
      fleet,
    );
    expect(result.plan.waves.map((w) => w.maxConcurrent)).toEqual([1, 1]);
    expect(planFleetExperiment(spec(), fleet).plan.waves[1]!.maxConcurrent).toBe(2);
  });

  it.each<[string, Partial<ClusterFacts>, string, string]>([
    [
      "controller not reporting",
      { report: "not-reporting" },
      "not-reporting",
      "no controller heartbeat since 2026-12-01T12:00:00.000Z",
    ],
    [
      "never reported",
      { report: "never", lastHeartbeatAt: null },
      "not-reporting",
      "no controller has ever reported",
    ],
    [
      "no matching agent",
      { agents: [agent("datadog/other")] },
      "no-matching-agent",
      "no DatadogAgent named datadog/datadog",
    ],
    [
      "an agent not reconciled",
      { agents: [agent("datadog/datadog", { currentRevision: null })] },
      "no-matching-agent",
      "datadog/datadog has not been reconciled yet",
    ],
    [
      "an experiment running",
      { agents: [agent("datadog/datadog", { activeExperiment: "experiment x (phase running)" })] },
      "experiment-running",
      "datadog/datadog runs experiment x (phase running)",
    ],
    [
      "the person may not change it",
      {
        agents: [
          agent("datadog/datadog", {
            permission: {
              state: "denied",
              reason: `alice (groups: dev) cannot update datadogagents.datadoghq.com "datadog" in namespace "datadog"`,
            },
          }),
        ],
      },
      "not-allowed",
      `alice (groups: dev) cannot update datadogagents.datadoghq.com "datadog" in namespace "datadog"`,
    ],
    [
      "in another fleet experiment",
      { inFleetExperiment: "logs-on" },
      "in-fleet-experiment",
      "part of fleet experiment logs-on, still in progress",
    ],
    [
      "the candidate changes nothing",
      { agents: [agent("datadog/datadog", { spec: { features: { apm: { enabled: true } } } })] },
      "no-change",
      "the candidate changes nothing in datadog/datadog",
    ],
  ])("leaves a cluster out when %s, saying why", (_name, extra, reason, detail) => {
    const clusters = fleet.map((c) => (c.name === "east" ? { ...c, ...extra } : c));
    const result = planFleetExperiment(spec(), clusters);
    expect(result.ok).toBe(true);
    expect(result.plan.leftOut).toEqual([{ clusterId: "id-east", clusterName: "east", reason, detail }]);
    expect(result.plan.waves[1]!.clusters.map((c) => c.clusterName)).toEqual(["west"]);
  });

  it("unchecked permissions do not leave a cluster out (the command is reviewed when applied)", () => {
    const clusters = fleet.map((c) => ({
      ...c,
      agents: [agent("datadog/datadog", { permission: { state: "unchecked" as const, reason: "" } })],
    }));
    expect(planFleetExperiment(spec(), clusters).plan.leftOut).toEqual([]);
  });

  it("selects DatadogAgents by a selector on their labels", () => {
    const clusters = [
      cluster(
        "canary",
        {},
        { agents: [agent("a/one", { labels: { tier: "1" } }), agent("a/two", { labels: { tier: "2" } })] },
      ),
    ];
    const result = planFleetExperiment(
      spec({ agents: undefined, agentSelector: "tier in (1,2)", waves: [{ clusters: ["canary"] }] }),
      clusters,
    );
    expect(result.plan.waves[0]!.clusters[0]!.agents.map((a) => a.key)).toEqual(["a/one", "a/two"]);
  });

  it.each<[string, FleetExperimentSpecInput["waves"], string[]]>([
    [
      "a name not in the fleet",
      [{ clusters: ["nope"] }, { percent: 100 }],
      [
        `wave 1 names cluster "nope", which is not in the fleet`,
        "wave 1 selects no cluster that can take part",
      ],
    ],
    [
      "a cluster named twice",
      [{ clusters: ["canary"] }, { clusters: ["canary"] }],
      [
        "wave 2 names cluster canary, already in an earlier wave",
        "wave 2 selects no cluster that can take part",
      ],
    ],
    [
      "a wave left empty",
      [{ percent: 100 }, { clusterSelector: "env=prod" }],
      ["wave 2 selects no cluster that can take part"],
    ],
  ])("refuses %s", (_name, waves, problems) => {
    const result = planFleetExperiment(spec({ waves }), fleet);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(problems);
  });

  it("planKey changes when a cluster's current revision or a left-out reason changes, not otherwise", () => {
    const key = planKey(planFleetExperiment(spec(), fleet).plan);
    expect(planKey(planFleetExperiment(spec(), fleet).plan)).toBe(key);
    const edited = fleet.map((c) =>
      c.name === "west"
        ? { ...c, agents: [agent("datadog/datadog", { currentRevision: "datadog-9999999999" })] }
        : c,
    );
    expect(planKey(planFleetExperiment(spec(), edited).plan)).not.toBe(key);
    const silent = fleet.map((c) => (c.name === "west" ? { ...c, report: "not-reporting" as const } : c));
    expect(planKey(planFleetExperiment(spec(), silent).plan)).not.toBe(key);
  });
});

describe("what a person may ask in each phase", () => {
  it.each<
    [Parameters<typeof fleetRequestRefusal>[0], Parameters<typeof fleetRequestRefusal>[1], string | null]
  >([
    ["approve", "waiting-approval", null],
    ["approve", "running", "cannot approve a fleet experiment that is running"],
    ["advance", "running", null],
    ["pause", "running", null],
    ["pause", "halting", "cannot pause a fleet experiment that is halting"],
    ["resume", "paused", null],
    ["resume", "running", "cannot resume a fleet experiment that is running"],
    ["abort", "paused", null],
    ["abort", "promoted", "cannot abort a fleet experiment that is promoted"],
  ])("%s when %s", (request, phase, refusal) => {
    expect(fleetRequestRefusal(request, phase)).toBe(refusal);
  });
});
