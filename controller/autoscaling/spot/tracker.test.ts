import { describe, expect, it } from "vitest";
import type { CachedPod, PodCache } from "../pod-cache";
import { SpotTracker } from "./tracker";

/** The parts of the pod cache the tracker uses: its event handlers and get(). */
class FakePods {
  readonly pods = new Map<string, CachedPod>();
  private readonly handlers: Record<string, ((...pods: CachedPod[]) => void)[]> = {};

  on(event: string, handler: (...pods: CachedPod[]) => void): this {
    (this.handlers[event] ??= []).push(handler);
    return this;
  }

  get(namespace: string, name: string): CachedPod | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  add(pod: CachedPod): void {
    this.pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
    for (const h of this.handlers.add ?? []) h(pod);
  }
}

function statefulSetPod(statefulSet: string, index: number, spot: boolean): CachedPod {
  return {
    metadata: {
      name: `${statefulSet}-${index}`,
      namespace: "shop",
      uid: `${statefulSet}-${index}`,
      ...(spot ? { labels: { "autoscaling.datadoghq.com/spot-assigned": "true" } } : {}),
      ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: statefulSet, uid: statefulSet }],
    },
    spec: {},
    status: { phase: "Running" },
  };
}

const db = {
  owner: { kind: "StatefulSet", namespace: "shop", name: "db" },
  workload: { kind: "StatefulSet", namespace: "shop", name: "db" },
} as const;

describe("SpotTracker", () => {
  it("counts an owner's pods by placement, with admissions in flight until the watch shows them", () => {
    const pods = new FakePods();
    const tracker = new SpotTracker(pods as unknown as PodCache);
    pods.add(statefulSetPod("db", 0, true));
    pods.add(statefulSetPod("db", 1, false));
    expect(tracker.admit(db, () => "spot")).toBe("spot");
    expect(tracker.counts(db)).toEqual({ spot: 1, onDemand: 1, inflightSpot: 1, inflightOnDemand: 0 });
    pods.add(statefulSetPod("db", 2, true));
    expect(tracker.counts(db)).toEqual({ spot: 2, onDemand: 1, inflightSpot: 0, inflightOnDemand: 0 });
    // A dry run is decided but not recorded.
    tracker.admit(db, () => "on-demand", { dryRun: true });
    expect(tracker.counts(db).inflightOnDemand).toBe(0);
  });

  it("leaves out of a snapshot the owners whose workload the filter rejects", () => {
    const pods = new FakePods();
    const tracker = new SpotTracker(pods as unknown as PodCache);
    pods.add(statefulSetPod("db", 0, true));
    pods.add(statefulSetPod("cache", 0, false));
    expect(tracker.snapshot().map((s) => s.owner.name)).toEqual(["cache", "db"]);
    const onlyDb = tracker.snapshot((w) => w.name === "db");
    expect(onlyDb).toHaveLength(1);
    expect(onlyDb[0]).toMatchObject({ owner: db.owner, workload: db.workload, onDemandPods: [] });
    expect(onlyDb[0]!.spotPods.map((p) => p.metadata.name)).toEqual(["db-0"]);
  });
});
