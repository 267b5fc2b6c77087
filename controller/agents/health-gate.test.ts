// The health gate's decision over pod states and timings, with a fake clock.
import { describe, expect, it } from "vitest";
import { evaluateGate, tripCount, type GatePod } from "./health-gate";

const T0 = new Date("2026-03-01T12:00:00Z");
const seconds = (n: number) => new Date(T0.getTime() + n * 1000);
const RULE = { thresholdPercent: 10, graceSeconds: 120 }; // the defaults

const failingPod = (name: string, since = T0): GatePod => ({
  name,
  node: `node-${name}`,
  ready: false,
  unavailableSince: since,
  reason: "CrashLoopBackOff (Error, exit code 1)",
});
const readyPod = (name: string): GatePod => ({ ...failingPod(name), ready: true, reason: "" });

describe("how many failing pods trip the gate", () => {
  it("more than the threshold and at least one", () => {
    expect(tripCount(1, 10)).toBe(1);
    expect(tripCount(6, 10)).toBe(1); // 0.6 pods allowed: one is more
    expect(tripCount(10, 10)).toBe(2); // exactly 10 % is allowed
    expect(tripCount(25, 10)).toBe(3);
    expect(tripCount(10, 0)).toBe(1);
    expect(tripCount(4, 50)).toBe(3);
    expect(tripCount(4, 100)).toBe(5); // never trips
  });
});

describe("the gate over time (fake clock)", () => {
  it("a crash-looping candidate pod: progressing within the grace, unhealthy at the grace exactly", () => {
    const pods = [failingPod("a")];
    const early = evaluateGate(pods, RULE, seconds(119));
    expect(early.state).toBe("progressing");
    expect(early.tripsAt).toEqual(seconds(120));
    expect(early.failing).toEqual([]);

    const at = evaluateGate(pods, RULE, seconds(120));
    expect(at.state).toBe("unhealthy");
    expect(at.failing.map((p) => p.name)).toEqual(["a"]);
    expect(at.summary).toContain("1 of 1 candidate pods unavailable for more than 120 s");
    expect(at.summary).toContain("a on node-a: CrashLoopBackOff (Error, exit code 1)");
  });

  it("a healthy candidate is never tripped, however long it runs", () => {
    const pods = ["a", "b", "c"].map(readyPod);
    const verdict = evaluateGate(pods, RULE, seconds(24 * 3600));
    expect(verdict).toMatchObject({ state: "healthy", pods: 3, ready: 3, unavailable: 0, tripsAt: null });
  });

  it("no candidate pod yet: healthy (nothing to judge)", () => {
    expect(evaluateGate([], RULE, seconds(600))).toMatchObject({
      state: "healthy",
      summary: "no candidate pod yet",
    });
  });

  it("within the threshold: 1 of 20 failing (5 %) is tolerated at 10 %, 3 of 20 are not", () => {
    const ready = Array.from({ length: 17 }, (_, i) => readyPod(`r${i}`));
    const one = [...ready, readyPod("x"), readyPod("y"), failingPod("a")];
    expect(evaluateGate(one, RULE, seconds(600)).state).toBe("healthy");
    const three = [...ready, failingPod("a"), failingPod("b"), failingPod("c")];
    expect(evaluateGate(three, RULE, seconds(600))).toMatchObject({
      state: "unhealthy",
      failing: expect.any(Array),
    });
    expect(evaluateGate(three, RULE, seconds(600)).failing).toHaveLength(3);
  });

  it("the grace counts from when each pod became unavailable: the bar-th oldest decides when it trips", () => {
    // 10 pods at 10 %: 2 failing pods trip it; they went unavailable at 0 s and 50 s.
    const pods = [
      ...Array.from({ length: 7 }, (_, i) => readyPod(`r${i}`)),
      failingPod("old", seconds(0)),
      failingPod("new", seconds(50)),
      failingPod("newest", seconds(100)),
    ];
    const verdict = evaluateGate(pods, RULE, seconds(130));
    expect(verdict.state).toBe("progressing");
    expect(verdict.failing.map((p) => p.name)).toEqual(["old"]);
    expect(verdict.tripsAt).toEqual(seconds(170));
    expect(evaluateGate(pods, RULE, seconds(169)).state).toBe("progressing");
    expect(evaluateGate(pods, RULE, seconds(170)).state).toBe("unhealthy");
  });

  it("a pod that recovers before the grace ends does not trip it", () => {
    const failing = [failingPod("a")];
    expect(evaluateGate(failing, RULE, seconds(60)).state).toBe("progressing");
    expect(evaluateGate([readyPod("a")], RULE, seconds(180)).state).toBe("healthy");
  });

  it("a pod that turns unready late gets a full grace from that moment", () => {
    const pods = [failingPod("a", seconds(600))];
    expect(evaluateGate(pods, RULE, seconds(650)).state).toBe("progressing");
    expect(evaluateGate(pods, RULE, seconds(720)).state).toBe("unhealthy");
  });

  it("threshold and grace are the experiment's: 50 % over 20 s", () => {
    const rule = { thresholdPercent: 50, graceSeconds: 20 };
    const pods = [readyPod("r1"), readyPod("r2"), failingPod("a"), failingPod("b")];
    expect(evaluateGate(pods, rule, seconds(30)).state).toBe("healthy"); // 2 of 4 is not more than 50 %
    const three = [readyPod("r1"), failingPod("a"), failingPod("b"), failingPod("c")];
    expect(evaluateGate(three, rule, seconds(19)).state).toBe("progressing");
    expect(evaluateGate(three, rule, seconds(20)).state).toBe("unhealthy");
  });

  it("names at most five failing pods, longest failing first, and counts the rest", () => {
    const pods = Array.from({ length: 8 }, (_, i) => failingPod(`p${i}`, seconds(-i)));
    const { summary } = evaluateGate(pods, RULE, seconds(600));
    expect(summary).toContain("8 of 8 candidate pods unavailable");
    expect(summary.indexOf("p7")).toBeLessThan(summary.indexOf("p6"));
    expect(summary).not.toContain("p2 on");
    expect(summary).toContain("and 3 more");
  });
});
