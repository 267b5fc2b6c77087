// The rollout rows' writer: batches, keeps the newest rollout per agent, retries a failed write
// with the next flush; when a rollout counts as settled (no refresh of its pod detail).
import { describe, expect, it } from "vitest";
import type { AgentRollout } from "../../lib/rollout";
import { RolloutWriter, settled } from "./rollout-controller";

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
