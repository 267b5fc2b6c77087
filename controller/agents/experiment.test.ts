// The pure experiment lifecycle with a fake clock, in the operator's phases (running,
// terminated + terminationReason, promoted, aborted): upstream's reconciler checks (timeout from
// startedAt, conflicts, rollback restores the baseline) and fleetdeck's (decisions recorded
// before they are carried out, the health gate), on real spec hashes.
import { describe, expect, it } from "vitest";
import type { AgentStatus, ExperimentStatus } from "../../lib/agents";
import { checkTimeout, clusterExperiment, startedExperiment, stepLifecycle, toMetaTime } from "./experiment";
import { revisionName, specHash } from "./hash";

const AGENT = "datadog-agent";
const apm = (enabled: boolean) => ({ features: { apm: { enabled } } });
const npm = (enabled: boolean) => ({ features: { npm: { enabled } } });
const rev = (spec: unknown) => revisionName(AGENT, specHash(spec));

const T0 = new Date("2026-03-01T12:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const DEFAULT_TIMEOUT = 15 * 60; // upstream ExperimentDefaultTimeout
const GATE = { enabled: true, thresholdPercent: 10, graceSeconds: 120 };

/** One reconcile of an agent whose spec is `spec`, at `now`. */
function step(status: AgentStatus, spec: unknown, now = T0) {
  return stepLifecycle(status, {
    revision: rev(spec),
    hash: specHash(spec),
    now,
    defaultTimeoutSeconds: DEFAULT_TIMEOUT,
  });
}

const baselineSpec = apm(false);
const candidateSpec = npm(true);
/** An experiment running on the candidate (landed), started at T0 from the baseline. */
const running = (extra: Partial<ExperimentStatus> = {}): AgentStatus => ({
  currentRevision: rev(candidateSpec),
  previousRevision: rev(baselineSpec),
  experiment: {
    phase: "running",
    id: "e1",
    startedAt: toMetaTime(T0),
    baselineRevision: rev(baselineSpec),
    ...extra,
  },
});

/** An experiment just started: its status written, its candidate's spec not landed yet. */
const started = (): AgentStatus => ({
  currentRevision: rev(baselineSpec),
  experiment: {
    phase: "running",
    id: "e1",
    startedAt: toMetaTime(T0),
    baselineRevision: rev(baselineSpec),
    expectedSpecHash: specHash(candidateSpec),
  },
});

describe("revision pointers", () => {
  it("first reconcile: currentRevision set, previousRevision empty, spec not 'changed'", () => {
    const s = step({}, apm(true));
    expect(s.status.currentRevision).toBe(rev(apm(true)));
    expect(s.status.previousRevision).toBeUndefined();
    expect(s.specChanged).toBe(false);
  });

  it("spec change: previous ← current, current ← the new revision", () => {
    const s = step({ currentRevision: rev(apm(true)) }, npm(true));
    expect(s.status).toEqual({ currentRevision: rev(npm(true)), previousRevision: rev(apm(true)) });
    expect(s.specChanged).toBe(true);
    expect(s.transitions).toContainEqual({
      type: "revision-changed",
      from: rev(apm(true)),
      to: rev(npm(true)),
    });
  });

  it("no change: both pointers stay, nothing happens", () => {
    const s = step({ currentRevision: rev(apm(true)), previousRevision: "old-rev" }, apm(true));
    expect(s.status).toEqual({ currentRevision: rev(apm(true)), previousRevision: "old-rev" });
    expect(s.transitions).toEqual([]);
    expect(s.requeueAfterMs).toBeUndefined();
  });
});

describe("timeout (fake clock, startedAt as the anchor)", () => {
  it("checkTimeout: not at 10 minutes, at 15 (≥, as upstream), never without startedAt", () => {
    const exp = { phase: "running" as const, startedAt: toMetaTime(T0) };
    expect(checkTimeout(exp, minutes(10), DEFAULT_TIMEOUT)).toBe(false);
    expect(checkTimeout(exp, minutes(15), DEFAULT_TIMEOUT)).toBe(true);
    expect(checkTimeout({ phase: "running" }, minutes(600), DEFAULT_TIMEOUT)).toBe(false);
  });

  it("running at 14:59 requeues at the deadline; at 15:00 the end is decided, the baseline restored, phase terminated (timed_out)", () => {
    const before = step(running(), candidateSpec, new Date(T0.getTime() + 15 * 60_000 - 1000));
    expect(before.status.experiment?.phase).toBe("running");
    expect(before.requeueAfterMs).toBe(1000);

    const at = step(running(), candidateSpec, minutes(15));
    expect(at.restore).toEqual({ revision: rev(baselineSpec), end: "timed_out", id: "e1" });
    // Upstream keeps id and startedAt; terminationReason says why.
    expect(clusterExperiment(at.status.experiment)).toEqual({
      phase: "terminated",
      terminationReason: "timed_out",
      id: "e1",
      startedAt: toMetaTime(T0),
    });
    expect(at.transitions).toEqual([
      { type: "end-decided", id: "e1", end: "timed_out", detail: "timed out after 900 s without a promote" },
      { type: "ended", id: "e1", end: "timed_out", baseline: rev(baselineSpec) },
    ]);
  });

  it("after a restart long past the deadline: decided at the first reconcile, from the status and the store alone", () => {
    expect(step(running(), candidateSpec, minutes(120)).restore?.end).toBe("timed_out");
  });

  it("a per-experiment timeout (fleetdeck) replaces the default", () => {
    expect(step(running({ timeoutSeconds: 60 }), candidateSpec, minutes(0.5)).restore).toBeUndefined();
    expect(step(running({ timeoutSeconds: 60 }), candidateSpec, minutes(1)).restore?.end).toBe("timed_out");
  });

  it("a timeout before the candidate landed restores nothing (the spec is the baseline) but still terminates", () => {
    const s = step(started(), baselineSpec, minutes(20));
    expect(s.restore).toBeUndefined();
    expect(s.status.experiment).toMatchObject({ phase: "terminated", terminationReason: "timed_out" });
    expect(s.status.experiment?.expectedSpecHash).toBeUndefined();
  });
});

describe("an end decided before (a stop or promote, or a decision a restart interrupted)", () => {
  it("stopped: the baseline is restored and the phase becomes terminated (stopped); no new decision", () => {
    const s = step(running({ ending: "stopped" }), candidateSpec, minutes(1));
    expect(s.restore).toEqual({ revision: rev(baselineSpec), end: "stopped", id: "e1" });
    expect(clusterExperiment(s.status.experiment)).toMatchObject({
      phase: "terminated",
      terminationReason: "stopped",
    });
    expect(s.transitions.map((t) => t.type)).toEqual(["ended"]);
  });

  it("a restart after the restore, before the status: the spec is already the baseline, only the phase is written", () => {
    const s = step(running({ ending: "unhealthy" }), baselineSpec, minutes(1));
    expect(s.restore).toBeUndefined();
    expect(s.status.experiment).toMatchObject({ phase: "terminated", terminationReason: "unhealthy" });
    // The restore is not a conflict: the decision comes first.
    expect(s.transitions.map((t) => t.type)).toEqual(["revision-changed", "ended"]);
  });

  it("promoted: the candidate stays, phase promoted, no terminationReason", () => {
    const s = step(running({ ending: "promoted" }), candidateSpec, minutes(1));
    expect(s.restore).toBeUndefined();
    expect(clusterExperiment(s.status.experiment)).toEqual({
      phase: "promoted",
      id: "e1",
      startedAt: toMetaTime(T0),
    });
  });

  it("ended phases stay as they are until the next start (upstream keeps the recent experiment)", () => {
    for (const exp of [
      { phase: "terminated" as const, terminationReason: "stopped", id: "e1" },
      { phase: "promoted" as const, id: "e1" },
      { phase: "aborted" as const, id: "e1" },
    ]) {
      const status: AgentStatus = { currentRevision: rev(apm(true)), experiment: exp };
      const s = step(status, npm(true), minutes(600));
      expect(s.status.experiment).toEqual(exp);
      expect(s.restore).toBeUndefined();
      expect(s.transitions.map((t) => t.type)).toEqual(["revision-changed"]);
    }
  });
});

describe("conflict detection", () => {
  it("an outside edit after the candidate landed aborts: phase aborted, the edit stays (nothing restored)", () => {
    const s = step(running(), { ...candidateSpec, global: { logLevel: "debug" } }, minutes(5));
    expect(clusterExperiment(s.status.experiment)).toEqual({
      phase: "aborted",
      id: "e1",
      startedAt: toMetaTime(T0),
    });
    expect(s.restore).toBeUndefined();
    expect(s.transitions.find((t) => t.type === "end-decided")).toMatchObject({
      end: "conflict",
      detail: expect.stringContaining("edited during the experiment"),
    });
  });

  it("an edit back to the baseline after the candidate landed is a conflict too, as upstream", () => {
    const s = step(running(), baselineSpec, minutes(5));
    expect(s.status.experiment?.phase).toBe("aborted");
  });

  it("the candidate landing is the one change expected: the experiment runs on, landed", () => {
    const s = step(started(), candidateSpec);
    expect(s.status.experiment?.phase).toBe("running");
    expect(s.status.experiment?.expectedSpecHash).toBeUndefined();
    expect(s.transitions).toContainEqual({ type: "candidate-landed", id: "e1" });
  });

  it("a user edit between the start and its landing (another hash) aborts", () => {
    const s = step(started(), apm(true));
    expect(s.status.experiment?.phase).toBe("aborted");
    expect(s.transitions.find((t) => t.type === "end-decided")).toMatchObject({
      detail: expect.stringContaining("does not match the experiment's config"),
    });
  });

  it("status before spec: a reconcile that still sees the baseline waits, the next validates the candidate", () => {
    const first = step(started(), baselineSpec);
    expect(first.status.experiment).toMatchObject({
      phase: "running",
      expectedSpecHash: specHash(candidateSpec),
    });
    const second = step(first.status, candidateSpec);
    expect(second.transitions).toContainEqual({ type: "candidate-landed", id: "e1" });
  });
});

describe("health gate (fleetdeck, fake clock)", () => {
  const crashing = (since: Date) => ({
    name: "datadog-agent-x7k2p",
    node: "kwok-on-demand-0",
    ready: false,
    unavailableSince: since,
    reason: "CrashLoopBackOff (Error, exit code 1)",
  });
  const gated = (status: AgentStatus, pods: ReturnType<typeof crashing>[], now: Date) =>
    stepLifecycle(status, {
      revision: rev(candidateSpec),
      hash: specHash(candidateSpec),
      now,
      defaultTimeoutSeconds: DEFAULT_TIMEOUT,
      pods,
      defaultHealthGate: GATE,
    });

  it("a crash-looping candidate runs on within the grace (requeued at the trip time), and is rolled back at it: terminated (unhealthy)", () => {
    const within = gated(running(), [crashing(minutes(1))], minutes(2));
    expect(within.status.experiment?.phase).toBe("running");
    expect(within.requeueAfterMs).toBe(60_000); // trips at 1 min + 2 min grace

    const tripped = gated(running(), [crashing(minutes(1))], minutes(3));
    expect(tripped.restore).toEqual({ revision: rev(baselineSpec), end: "unhealthy", id: "e1" });
    expect(clusterExperiment(tripped.status.experiment)).toMatchObject({
      phase: "terminated",
      terminationReason: "unhealthy",
    });
    expect(tripped.transitions.find((t) => t.type === "end-decided")).toMatchObject({
      end: "unhealthy",
      verdict: { state: "unhealthy", failing: [expect.anything()] },
    });
  });

  it("a healthy candidate is unaffected: requeued only at the timeout", () => {
    const s = gated(running(), [{ ...crashing(T0), ready: true }], minutes(10));
    expect(s.status).toEqual(running());
    expect(s.requeueAfterMs).toBe(5 * 60_000);
  });

  it("the experiment's own settings win over the defaults; a disabled gate only reports", () => {
    const strict = running({ healthGate: { enabled: true, thresholdPercent: 0, graceSeconds: 10 } });
    expect(gated(strict, [crashing(T0)], minutes(0.2)).status.experiment?.phase).toBe("terminated");
    const off = running({ healthGate: { enabled: false, thresholdPercent: 10, graceSeconds: 10 } });
    const s = gated(off, [crashing(T0)], minutes(10));
    expect(s.status.experiment?.phase).toBe("running");
    expect(s.transitions).toEqual([]);
  });

  it("not judged before the candidate has landed", () => {
    const s = gated(running({ expectedSpecHash: specHash(candidateSpec) }), [crashing(T0)], minutes(10));
    expect(s.status.experiment?.phase).toBe("running");
  });

  it("after a restart long past the grace: rolled back at the first reconcile; the timeout still comes first", () => {
    expect(gated(running(), [crashing(T0)], minutes(12)).restore?.end).toBe("unhealthy");
    expect(gated(running(), [crashing(T0)], minutes(16)).restore?.end).toBe("timed_out");
  });
});

describe("a start", () => {
  it("runs from now, its baseline the current revision, with its timeout and gate", () => {
    const exp = startedExperiment(
      { currentRevision: rev(baselineSpec) },
      {
        id: "e2",
        expectedSpecHash: specHash(candidateSpec),
        now: new Date("2026-03-01T12:00:00.750Z"),
        timeoutSeconds: 600,
        healthGate: GATE,
        startTaskID: "task-9",
      },
    );
    expect(exp).toEqual({
      phase: "running",
      id: "e2",
      startedAt: "2026-03-01T12:00:00Z",
      startTaskID: "task-9",
      baselineRevision: rev(baselineSpec),
      expectedSpecHash: specHash(candidateSpec),
      timeoutSeconds: 600,
      healthGate: GATE,
    });
    expect(clusterExperiment(exp)).toEqual({
      phase: "running",
      id: "e2",
      startedAt: "2026-03-01T12:00:00Z",
      startTaskID: "task-9",
    });
  });

  it("a retry of the same start keeps its clock and baseline", () => {
    const retried = startedExperiment(running({ expectedSpecHash: "0123456789" }), {
      id: "e1",
      expectedSpecHash: "0123456789",
      now: minutes(3),
      timeoutSeconds: 900,
      healthGate: GATE,
    });
    expect(retried).toMatchObject({ startedAt: toMetaTime(T0), baselineRevision: rev(baselineSpec) });
  });
});
