import { describe, expect, it } from "vitest";
import type { CachedPod } from "../pod-cache";
import { podToEvict } from "./rebalancer";
import { buildWorkloadRows } from "./read-model";
import type { OwnerSnapshot } from "./tracker";
import type { WorkloadConfig, WorkloadRef } from "./workload-config";

function pod(name: string, phase = "Running", created = "2026-11-23T10:00:00Z", spot = false): CachedPod {
  return {
    metadata: {
      name,
      namespace: "shop",
      uid: name,
      creationTimestamp: created,
      ...(spot ? { labels: { "autoscaling.datadoghq.com/spot-assigned": "true" } } : {}),
    },
    spec: {},
    status: { phase },
  };
}

const web: WorkloadRef = { kind: "Deployment", namespace: "shop", name: "web" };
const owner = (
  name: string,
  spotPods: CachedPod[],
  onDemandPods: CachedPod[],
  workload = web,
): OwnerSnapshot => ({
  owner: { kind: "ReplicaSet", namespace: "shop", name },
  workload,
  spotPods,
  onDemandPods,
  inflightSpot: 0,
  inflightOnDemand: 0,
  lastUpdate: 0,
});
const config = (ref: WorkloadRef, extra: Partial<WorkloadConfig> = {}): WorkloadConfig => ({
  ref,
  uid: "u",
  replicas: 10,
  settings: { percentage: 60, minOnDemand: 2 },
  configError: undefined,
  disabledUntil: undefined,
  ...extra,
});

describe("spot read model rows", () => {
  it("adds up a Deployment's ReplicaSets and shows the target split for the total", () => {
    const now = Date.parse("2026-11-23T10:01:00Z");
    const rows = buildWorkloadRows(
      [
        owner(
          "web-a",
          [pod("a1", "Running", undefined, true), pod("a2", "Pending", "2026-11-23T10:00:30Z", true)],
          [pod("a3")],
        ),
        owner("web-b", [pod("b1", "Pending", "2026-11-23T10:00:10Z", true)], [pod("b2"), pod("b3")]),
      ],
      [config(web, { disabledUntil: now + 60_000 })],
      () => false,
      now,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        key: "Deployment/shop/web",
        optedIn: true,
        spotPods: 3,
        onDemandPods: 3,
        pendingSpotPods: 2,
        oldestPendingAt: new Date("2026-11-23T10:00:10Z"),
        targetSpot: 3,
        targetOnDemand: 3,
        disabledUntil: new Date(now + 60_000),
      }),
    ]);
  });

  it("lists an opted-in workload without pods, and an opted-out one only while it has spot pods", () => {
    const gone: WorkloadRef = { kind: "Deployment", namespace: "shop", name: "gone" };
    const stranger: WorkloadRef = { kind: "Deployment", namespace: "shop", name: "stranger" };
    const rows = buildWorkloadRows(
      [
        owner("gone-a", [pod("g1", "Running", undefined, true)], [], gone),
        owner("stranger-a", [pod("s1", "Running", undefined, true)], [], stranger),
      ],
      [config(web)],
      (ref) => ref.name === "gone",
      Date.now(),
    );
    expect(rows.map((r) => [r.key, r.optedIn, r.targetSpot])).toEqual([
      ["Deployment/shop/gone", false, 0],
      ["Deployment/shop/web", true, 0],
    ]);
  });
});

describe("the pod to evict", () => {
  it("is the newest, then the first by name, whatever the order it is given in", () => {
    const pods = [
      pod("b", "Running", "2026-11-23T10:00:00Z"),
      pod("c", "Running", "2026-11-23T10:05:00Z"),
      pod("a", "Running", "2026-11-23T10:05:00Z"),
    ];
    expect(podToEvict(pods)?.metadata.name).toBe("a");
    expect(podToEvict([...pods].reverse())?.metadata.name).toBe("a");
    expect(podToEvict([])).toBeUndefined();
  });
});
