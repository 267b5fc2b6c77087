import { describe, expect, it } from "vitest";
import { authorizationAttention, closeToTimeout, clusterAuthorization, rolloutProblem } from "./attention";
import type { AgentRollout, WorkloadRollout } from "@/lib/rollout";

const MIN = 60_000;

describe("closeToTimeout", () => {
  const started = new Date("2026-12-04T10:00:00Z");
  const at = (minutes: number) => started.getTime() + minutes * MIN;

  it("is the last 10 % of the timeout, at least its last 5 minutes, until it passes", () => {
    // 30 min: the last 5 minutes (10 % would be 3).
    expect(closeToTimeout(started, 1800, at(24))).toBe(false);
    expect(closeToTimeout(started, 1800, at(25))).toBe(true);
    expect(closeToTimeout(started, 1800, at(29.9))).toBe(true);
    expect(closeToTimeout(started, 1800, at(30))).toBe(false);
    // 10 hours: the last hour.
    expect(closeToTimeout(started, 36_000, at(530))).toBe(false);
    expect(closeToTimeout(started, 36_000, at(541))).toBe(true);
  });
});

describe("rolloutProblem", () => {
  const workload = (ready: number, desired: number): WorkloadRollout => ({
    kind: "DaemonSet",
    name: "datadog-agent",
    exists: true,
    desired,
    updated: desired,
    ready,
    available: ready,
    unavailable: desired - ready,
    generation: 1,
    observedGeneration: 1,
    templateHash: "abc",
    revisions: [],
  });
  const problem = (name: string, reason: string) => ({
    name,
    workload: "DaemonSet" as const,
    node: "kwok-0",
    revisionHash: "abc",
    reason,
    message: "",
    lastTermination: null,
    restarts: 3,
    createdAt: "2026-12-04T10:00:00Z",
    unavailableSince: "2026-12-04T10:00:00Z",
  });

  it("says how many agents are ready, why the failing pods fail and which nodes have no agent", () => {
    const rollout: AgentRollout = {
      daemonSet: workload(4, 6),
      deployment: { ...workload(1, 1), kind: "Deployment" },
      problems: [
        problem("a", "CrashLoopBackOff"),
        problem("b", "CrashLoopBackOff"),
        problem("c", "OOMKilled"),
      ],
      coverage: { nodes: 6, covered: 4, uncovered: [{ node: "kwok-spot-0", reason: "no agent pod" }] },
      candidate: null,
    };
    expect(rolloutProblem(rollout)).toBe(
      "4/6 agents ready; 3 pods failing (CrashLoopBackOff, OOMKilled); no agent on 1 of 6 nodes",
    );
    expect(
      rolloutProblem({
        ...rollout,
        problems: [rollout.problems[0]!],
        coverage: { ...rollout.coverage, uncovered: [] },
      }),
    ).toBe("4/6 agents ready; 1 pod failing (CrashLoopBackOff)");
  });
});

describe("per-user authorization", () => {
  const cluster = { id: "uid-b", name: "cluster-b" };

  it("is off for a cluster when any running controller reports none, on when every report says kubernetes", () => {
    expect(clusterAuthorization(["kubernetes", "kubernetes"])).toBe("kubernetes");
    // A standby without it may lead tomorrow.
    expect(clusterAuthorization(["kubernetes", "none"])).toBe("none");
    expect(clusterAuthorization(["none"])).toBe("none");
    // Controllers older than the report say nothing; one that reports decides.
    expect(clusterAuthorization([null, "kubernetes"])).toBe("kubernetes");
    expect(clusterAuthorization([null])).toBeNull();
    expect(clusterAuthorization([])).toBeNull();
  });

  it("lists a cluster without it under needs attention, saying why it matters and how to turn it on", () => {
    const item = authorizationAttention({ ...cluster, authorization: "none" });
    expect(item).toMatchObject({
      kind: "authorization-off",
      clusterId: "uid-b",
      clusterName: "cluster-b",
      subject: "",
    });
    expect(item!.detail).toContain("FLEETDECK_AUTHZ=none");
    expect(item!.detail).toContain("whatever their Kubernetes RBAC says");
    expect(item!.detail).toContain("set FLEETDECK_AUTHZ=kubernetes");
  });

  it("leaves out a cluster with it on, and one whose controllers do not report it", () => {
    expect(authorizationAttention({ ...cluster, authorization: "kubernetes" })).toBeNull();
    expect(authorizationAttention({ ...cluster, authorization: null })).toBeNull();
  });
});
