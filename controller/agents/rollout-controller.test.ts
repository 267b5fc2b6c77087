// The rollout rows' writer: batches, keeps the newest rollout per agent, retries a failed write
// with the next flush; when a rollout counts as settled, and how an unsettled one is refreshed.
import { describe, expect, it } from "vitest";
import type { AgentRollout } from "../../lib/rollout";
import { DEFAULT_HEALTH_GATE } from "../../lib/agents";
import type { DatadogAgent } from "./api";
import type { RolloutInput } from "./rollout";
import type { RolloutCache } from "./rollout-cache";
import { RolloutReconciler, RolloutWriter, settled } from "./rollout-controller";

const rollout = (ready: number) => ({ daemonSet: { ready } }) as unknown as AgentRollout;

function fakeReadModel(failures = 0) {
  const batches: Map<string, AgentRollout | null>[] = [];
  return {
    batches,
    syncRollouts: async (batch: Map<string, AgentRollout | null>) => {
      if (failures-- > 0) throw new Error("SQLITE_BUSY");
      batches.push(new Map(batch));
    },
  };
}

describe("RolloutWriter", () => {
  it("writes the newest rollout of each agent in one batch", async () => {
    const readModel = fakeReadModel();
    const writer = new RolloutWriter(readModel);
    writer.write("ns/a", rollout(1));
    writer.write("ns/b", rollout(1));
    writer.write("ns/a", rollout(6));
    writer.write("ns/gone", null);
    await writer.flush();
    expect(readModel.batches).toEqual([
      new Map<string, AgentRollout | null>([
        ["ns/a", rollout(6)],
        ["ns/b", rollout(1)],
        ["ns/gone", null],
      ]),
    ]);
    await writer.flush();
    expect(readModel.batches).toHaveLength(1); // nothing new
  });

  it("keeps a failed batch for the next flush, newer rollouts winning", async () => {
    const readModel = fakeReadModel(1);
    const writer = new RolloutWriter(readModel);
    writer.write("ns/a", rollout(1));
    writer.write("ns/b", rollout(1));
    await expect(writer.flush()).rejects.toThrow("SQLITE_BUSY");
    writer.write("ns/a", rollout(2));
    await writer.flush();
    expect(readModel.batches).toEqual([
      new Map([
        ["ns/a", rollout(2)],
        ["ns/b", rollout(1)],
      ]),
    ]);
  });
});

describe("settled", () => {
  const workload = (over: Partial<AgentRollout["daemonSet"]> = {}) =>
    ({
      exists: true,
      desired: 3,
      updated: 3,
      ready: 3,
      available: 3,
      unavailable: 0,
      generation: 2,
      observedGeneration: 2,
      ...over,
    }) as AgentRollout["daemonSet"];
  const of = (daemonSet = workload(), problems: unknown[] = [], deployment = workload({ desired: 1 })) =>
    settled({ daemonSet, deployment, problems } as AgentRollout);

  it("is settled when every pod is there, updated and available, with no problem", () => {
    expect(of()).toBe(true);
    expect(of(workload({ exists: false, desired: 0, updated: 0 }))).toBe(true);
  });

  it("is not while pods are unavailable, not updated, a generation unobserved, or a pod has a problem", () => {
    expect(of(workload({ unavailable: 1 }))).toBe(false);
    expect(of(workload({ updated: 2 }))).toBe(false);
    expect(of(workload({ observedGeneration: 1 }))).toBe(false);
    expect(of(workload(), [{ name: "p", reason: "CrashLoopBackOff" }])).toBe(false);
    expect(of(workload(), [], workload({ desired: 1, unavailable: 1 }))).toBe(false);
  });
});

describe("RolloutReconciler's refresh of an unsettled rollout", () => {
  const agent = { metadata: { name: "a", namespace: "ns", uid: "u1" } } as DatadogAgent;
  // A DaemonSet with one of two pods unavailable, and no pods cached: unsettled.
  const input = (available: number) =>
    ({
      daemonSet: {
        name: "a-agent",
        object: {
          metadata: { generation: 1 },
          status: {
            desiredNumberScheduled: 2,
            updatedNumberScheduled: 2,
            numberReady: available,
            numberAvailable: available,
            observedGeneration: 1,
          },
        },
      },
      deployment: { name: "a-cluster-agent", object: undefined },
      pods: [],
      nodes: [],
    }) as unknown as RolloutInput;

  it("backs off from 5 s to a minute while the rollout stays the same, starts over when it changes, stops once settled", async () => {
    let current = input(1);
    let clock = 0;
    const reconciler = new RolloutReconciler({
      cached: () => agent,
      state: () => undefined,
      cache: { rolloutInput: () => current } as unknown as RolloutCache,
      writer: { write: () => {} },
      defaultHealthGate: DEFAULT_HEALTH_GATE,
    });
    const delays: (number | undefined)[] = [];
    const realNow = Date.now;
    Date.now = () => clock;
    try {
      for (const step of [0, 1, 2, 3, 4, 5, 6, 7]) {
        if (step === 5) current = input(0); // it changed
        if (step === 7) current = input(2); // settled
        clock += 120_000; // past the minimum interval
        const result = await reconciler.reconcile("ns/a");
        delays.push(result ? result.requeueAfterMs : undefined);
      }
    } finally {
      Date.now = realNow;
    }
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 5_000, 10_000, undefined]);
  });
});
