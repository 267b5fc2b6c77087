// The rollout read model's rules over pods, workloads and nodes shaped as the API server
// returns them (the statuses are those kwok's Stages and the scheduler write).
import type { V1DaemonSet, V1Node, V1Pod, V1Taint, V1Toleration } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { rolloutState } from "../../lib/rollout";
import { coverage, gatePods, podProblem, summarizeRollout, tolerates, unavailableSince } from "./rollout";

const T0 = "2026-03-01T12:00:00Z";
const SPOT_TAINT = {
  key: "autoscaling.datadoghq.com/capacity-type",
  value: "interruptible",
  effect: "NoSchedule",
};

function pod(
  name: string,
  extra: { node?: string; hash?: string; component?: string; status?: V1Pod["status"] } = {},
): V1Pod {
  return {
    metadata: {
      name,
      creationTimestamp: new Date(T0),
      labels: {
        "app.kubernetes.io/component": extra.component ?? "agent",
        "fleetdeck.dev/revision-hash": extra.hash ?? "aaaaaaaaaa",
      },
      annotations: { "fleetdeck.dev/revision": `datadog-${extra.hash ?? "aaaaaaaaaa"}` },
    },
    spec: { nodeName: extra.node ?? "node-1", containers: [{ name: "agent", image: "agent:1" }] },
    status: extra.status ?? readyStatus,
  };
}

const readyStatus: V1Pod["status"] = {
  phase: "Running",
  conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date(T0) }],
  containerStatuses: [
    { name: "agent", image: "agent:1", imageID: "", ready: true, restartCount: 0, state: { running: {} } },
  ],
};

const crashLooping = (
  lastReason = "Error",
  exitCode = 1,
  since = "2026-03-01T12:00:05Z",
): V1Pod["status"] => ({
  phase: "Running",
  conditions: [
    { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: new Date(since) },
  ],
  containerStatuses: [
    {
      name: "agent",
      image: "agent:1-crashloop",
      imageID: "",
      ready: false,
      restartCount: 4,
      lastState: { terminated: { exitCode, reason: lastReason } },
      state: {
        waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=agent" },
      },
    },
  ],
});

function node(
  name: string,
  extra: {
    taints?: V1Taint[];
    ready?: boolean;
    cordoned?: boolean;
    labels?: Record<string, string>;
  } = {},
): V1Node {
  return {
    metadata: { name, labels: extra.labels ?? {} },
    spec: { taints: extra.taints ?? [], unschedulable: extra.cordoned ?? false },
    status: { conditions: [{ type: "Ready", status: extra.ready === false ? "False" : "True" }] },
  };
}

function daemonSet(tolerations: V1Toleration[], status = {}): V1DaemonSet {
  return {
    metadata: { name: "datadog-agent", generation: 2 },
    spec: {
      selector: {},
      template: {
        metadata: { labels: { "fleetdeck.dev/revision-hash": "bbbbbbbbbb" } },
        spec: { containers: [], tolerations },
      },
    },
    status: {
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      desiredNumberScheduled: 3,
      numberReady: 2,
      updatedNumberScheduled: 1,
      numberAvailable: 2,
      observedGeneration: 2,
      ...status,
    },
  };
}

describe("why a pod is not ready", () => {
  it("ready and terminating pods have no problem", () => {
    expect(podProblem(pod("ok"))).toBeNull();
    const leaving = pod("leaving", { status: crashLooping() });
    leaving.metadata!.deletionTimestamp = new Date(T0);
    expect(podProblem(leaving)).toBeNull();
  });

  it("CrashLoopBackOff with the last termination and the restart count", () => {
    expect(podProblem(pod("crash", { status: crashLooping() }))).toEqual({
      reason: "CrashLoopBackOff",
      message: "back-off 10s restarting failed container=agent",
      lastTermination: "Error (exit code 1)",
      restarts: 4,
    });
    expect(podProblem(pod("oom", { status: crashLooping("OOMKilled", 137) }))?.lastTermination).toBe(
      "OOMKilled (exit code 137)",
    );
  });

  it("ImagePullBackOff on a Pending pod", () => {
    const status: V1Pod["status"] = {
      phase: "Pending",
      conditions: [
        { type: "PodScheduled", status: "True" },
        { type: "Ready", status: "False" },
      ],
      containerStatuses: [
        {
          name: "agent",
          image: "agent:nope",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "agent:nope"' } },
        },
      ],
    };
    expect(podProblem(pod("pull", { status }))).toMatchObject({
      reason: "ImagePullBackOff",
      message: 'Back-off pulling image "agent:nope"',
      restarts: 0,
    });
  });

  it("a message holding a secret is redacted: a termination message, a pull error quoting credentials", () => {
    const terminated: V1Pod["status"] = {
      phase: "Running",
      containerStatuses: [
        {
          name: "agent",
          image: "agent:7",
          imageID: "",
          ready: false,
          restartCount: 1,
          state: {
            terminated: {
              reason: "Error",
              exitCode: 1,
              message: "boot failed: DD_API_KEY=0123456789abcdef0123456789abcdef",
            },
          },
        },
      ],
    };
    const terminatedProblem = podProblem(pod("term", { status: terminated }));
    expect(terminatedProblem?.message).toBe("boot failed: DD_API_KEY=[redacted]");
    const pulling: V1Pod["status"] = {
      phase: "Pending",
      containerStatuses: [
        {
          name: "agent",
          image: "agent:7",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: {
            waiting: {
              reason: "ErrImagePull",
              message: "failed to pull: https://robot:s3cr3t-pull-pass@registry.example/v2/agent: 401",
            },
          },
        },
      ],
    };
    const pullProblem = podProblem(pod("pull", { status: pulling }));
    expect(pullProblem?.reason).toBe("ErrImagePull");
    expect(pullProblem?.message).not.toContain("s3cr3t-pull-pass");
    expect(pullProblem?.message).toContain("registry.example/v2/agent: 401");
  });

  it("Pending with the scheduler's message", () => {
    const status: V1Pod["status"] = {
      phase: "Pending",
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/6 nodes are available: 6 node(s) didn't match Pod's node affinity/selector.",
        },
      ],
    };
    expect(podProblem(pod("pending", { status }))).toMatchObject({
      reason: "Unschedulable",
      message: expect.stringContaining("0/6 nodes are available"),
    });
  });

  it("running but not ready, evicted, and not reported yet", () => {
    const notReady: V1Pod["status"] = {
      phase: "Running",
      conditions: [{ type: "Ready", status: "False", message: "readiness probe failed" }],
      containerStatuses: [
        { name: "agent", image: "a", imageID: "", ready: false, restartCount: 0, state: { running: {} } },
      ],
    };
    expect(podProblem(pod("probe", { status: notReady }))).toMatchObject({
      reason: "NotReady",
      message: "readiness probe failed",
    });
    expect(
      podProblem(
        pod("evicted", { status: { phase: "Failed", reason: "Evicted", message: "low on memory" } }),
      ),
    ).toMatchObject({ reason: "Evicted", message: "low on memory" });
    expect(podProblem(pod("new", { status: { phase: "Pending" } }))).toMatchObject({ reason: "Pending" });
  });

  it("unavailable since its creation, or since Ready turned false when that is later; a whole second read as its end", () => {
    expect(unavailableSince(pod("crash", { status: crashLooping() }))).toEqual(
      new Date("2026-03-01T12:00:05.999Z"),
    );
    expect(unavailableSince(pod("new", { status: { phase: "Pending" } }))).toEqual(
      new Date("2026-03-01T12:00:00.999Z"),
    );
    const precise = pod("precise", { status: crashLooping("Error", 1, "2026-03-01T12:00:05.250Z") });
    expect(unavailableSince(precise)).toEqual(new Date("2026-03-01T12:00:05.250Z"));
  });

  it("the gate's view of a revision: only its pods, terminating ones left out", () => {
    const leaving = pod("leaving", { hash: "bbbbbbbbbb", status: crashLooping() });
    leaving.metadata!.deletionTimestamp = new Date(T0);
    const pods = [
      pod("old", { hash: "aaaaaaaaaa" }),
      pod("cand", { hash: "bbbbbbbbbb", node: "node-2", status: crashLooping() }),
      leaving,
    ];
    expect(gatePods(pods, "bbbbbbbbbb")).toEqual([
      {
        name: "cand",
        node: "node-2",
        ready: false,
        unavailableSince: new Date("2026-03-01T12:00:05.999Z"),
        reason: "CrashLoopBackOff (last: Error (exit code 1)), 4 restarts",
      },
    ]);
  });
});

describe("coverage", () => {
  const nodes = [
    node("od-0"),
    node("od-1"),
    node("spot-0", { taints: [SPOT_TAINT] }),
    node("cordoned", { cordoned: true }),
    node("down", { ready: false }),
  ];

  it("the scheduler's toleration rule", () => {
    expect(tolerates([{ key: SPOT_TAINT.key, operator: "Exists", effect: "NoSchedule" }], SPOT_TAINT)).toBe(
      true,
    );
    expect(tolerates([{ key: SPOT_TAINT.key, operator: "Equal", value: "interruptible" }], SPOT_TAINT)).toBe(
      true,
    );
    expect(tolerates([{ key: SPOT_TAINT.key, operator: "Equal", value: "other" }], SPOT_TAINT)).toBe(false);
    expect(tolerates([{ operator: "Exists" }], SPOT_TAINT)).toBe(true);
    expect(tolerates([{ key: SPOT_TAINT.key, operator: "Exists", effect: "NoExecute" }], SPOT_TAINT)).toBe(
      false,
    );
    expect(tolerates([], SPOT_TAINT)).toBe(false);
  });

  it("names the nodes without an agent and why: an untolerated taint, a failing pod", () => {
    const pods = [pod("a", { node: "od-0" }), pod("b", { node: "od-1", status: crashLooping() })];
    expect(coverage(daemonSet([]), pods, nodes)).toEqual({
      nodes: 3,
      covered: 1,
      uncovered: [
        {
          node: "od-1",
          reason: "agent pod not ready: CrashLoopBackOff (last: Error (exit code 1)), 4 restarts",
        },
        {
          node: "spot-0",
          reason: "taint autoscaling.datadoghq.com/capacity-type=interruptible:NoSchedule not tolerated",
        },
      ],
    });
  });

  it("with the default toleration the spot node only waits for its pod", () => {
    const tolerations = [{ key: SPOT_TAINT.key, operator: "Exists", effect: "NoSchedule" }];
    const pods = ["od-0", "od-1", "spot-0"].map((n) => pod(`p-${n}`, { node: n }));
    expect(coverage(daemonSet(tolerations), pods, nodes)).toEqual({ nodes: 3, covered: 3, uncovered: [] });
    expect(coverage(daemonSet(tolerations), pods.slice(0, 2), nodes).uncovered).toEqual([
      { node: "spot-0", reason: "no agent pod yet" },
    ]);
  });

  it("a nodeSelector narrows the nodes the agent should cover", () => {
    const ds = daemonSet([]);
    ds.spec!.template.spec!.nodeSelector = { pool: "a" };
    const labelled = [node("a-0", { labels: { pool: "a" } }), node("b-0", { labels: { pool: "b" } })];
    expect(coverage(ds, [pod("x", { node: "a-0" })], labelled)).toEqual({
      nodes: 1,
      covered: 1,
      uncovered: [],
    });
  });
});

describe("the rollout of an agent", () => {
  it("counts, pods per revision (template first), problems of both workloads, and one word for it", () => {
    const pods = [
      pod("old-1", { node: "od-0", hash: "aaaaaaaaaa" }),
      pod("old-2", { node: "od-1", hash: "aaaaaaaaaa" }),
      pod("new-1", { node: "spot-0", hash: "bbbbbbbbbb", status: crashLooping() }),
      pod("dca", { component: "cluster-agent", hash: "bbbbbbbbbb" }),
    ];
    const rollout = summarizeRollout({
      daemonSet: { name: "datadog-agent", object: daemonSet([]) },
      deployment: { name: "datadog-cluster-agent", object: undefined },
      pods,
      nodes: [node("od-0"), node("od-1"), node("spot-0")],
    });
    expect(rollout.daemonSet).toMatchObject({
      exists: true,
      desired: 3,
      updated: 1,
      ready: 2,
      available: 2,
      unavailable: 1,
      templateHash: "bbbbbbbbbb",
      revisions: [
        { hash: "bbbbbbbbbb", revision: "datadog-bbbbbbbbbb", pods: 1, ready: 0, current: true },
        { hash: "aaaaaaaaaa", revision: "datadog-aaaaaaaaaa", pods: 2, ready: 2, current: false },
      ],
    });
    expect(rollout.deployment).toMatchObject({ exists: false, desired: 0 });
    expect(rollout.problems).toEqual([
      expect.objectContaining({
        name: "new-1",
        workload: "DaemonSet",
        node: "spot-0",
        reason: "CrashLoopBackOff",
      }),
    ]);
    expect(rolloutState({ ...rollout, candidate: null })).toBe("degraded");
  });

  it("healthy when every pod is ready at the template's revision on every node", () => {
    const tolerations = [{ key: SPOT_TAINT.key, operator: "Exists", effect: "NoSchedule" }];
    const rollout = summarizeRollout({
      daemonSet: {
        name: "datadog-agent",
        object: daemonSet(tolerations, {
          numberReady: 1,
          updatedNumberScheduled: 1,
          numberAvailable: 1,
          desiredNumberScheduled: 1,
        }),
      },
      deployment: { name: "datadog-cluster-agent", object: undefined },
      pods: [pod("a", { node: "od-0", hash: "bbbbbbbbbb" })],
      nodes: [node("od-0")],
    });
    expect(rolloutState({ ...rollout, candidate: null })).toBe("healthy");
    expect(rolloutState(null)).toBe("unknown");
  });
});
