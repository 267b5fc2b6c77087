// The pure experiment lifecycle with a fake clock: upstream's reconciler and signal-handler
// tests (datadog-operator PR #2760; the mapping is in upstream-tests.md), on real spec hashes.
import { describe, expect, it } from "vitest";
import type { AgentStatus } from "../../lib/agents";
import { canEnd, canStart } from "../../lib/experiments";
import {
  checkConflict,
  checkTimeout,
  promotedStatus,
  startedStatus,
  stepLifecycle,
  stoppedStatus,
  toMetaTime,
} from "./experiment";
import { revisionName, specHash } from "./hash";

const AGENT = "datadog-agent";
const apm = (enabled: boolean) => ({ features: { apm: { enabled } } });
const npm = (enabled: boolean) => ({ features: { npm: { enabled } } });
const rev = (spec: unknown) => revisionName(AGENT, specHash(spec));

const T0 = new Date("2026-03-01T12:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const DEFAULT_TIMEOUT = 30 * 60; // upstream DefaultExperimentTimeout

/** One reconcile of an agent whose spec is `spec`, at `now`. */
function step(status: AgentStatus, spec: unknown, now = T0) {
  return stepLifecycle(status, {
    revision: rev(spec),
    hash: specHash(spec),
    now,
    defaultTimeoutSeconds: DEFAULT_TIMEOUT,
  });
}

describe("timeout and conflict checks", () => {
  it("CheckTimeout: not expired at 10 minutes, expired at 31, never before the clock starts", () => {
    const running = { phase: "running" as const, startedAt: toMetaTime(T0) };
    expect(checkTimeout(running, minutes(10), DEFAULT_TIMEOUT)).toBe(false);
    expect(checkTimeout(running, minutes(31), DEFAULT_TIMEOUT)).toBe(true);
    expect(checkTimeout(running, minutes(30), DEFAULT_TIMEOUT)).toBe(true); // ≥, as upstream
    expect(checkTimeout({ phase: "running" }, minutes(600), DEFAULT_TIMEOUT)).toBe(false);
  });

  it("CheckConflict: none when the spec matches currentRevision or no revision is set; detected otherwise", () => {
    expect(checkConflict({ currentRevision: rev(apm(true)) }, rev(apm(true)))).toBe(false);
    expect(checkConflict({ currentRevision: rev(apm(true)) }, rev(npm(true)))).toBe(true);
    expect(checkConflict({}, rev(npm(true)))).toBe(false);
  });
});

describe("revision pointers", () => {
  it("first reconcile: currentRevision set, previousRevision empty, spec not 'changed'", () => {
    const s = step({}, apm(true));
    expect(s.status.currentRevision).toBe(rev(apm(true)));
    expect(s.status.previousRevision).toBeUndefined();
    expect(s.specChanged).toBe(false);
    expect(s.restore).toBeUndefined();
  });

  it("spec change: previous ← current, current ← the new revision", () => {
    const s = step({ currentRevision: rev(apm(true)) }, npm(true));
    expect(s.status.previousRevision).toBe(rev(apm(true)));
    expect(s.status.currentRevision).toBe(rev(npm(true)));
    expect(s.specChanged).toBe(true);
    expect(s.transitions).toContainEqual({
      type: "revision-changed",
      from: rev(apm(true)),
      to: rev(npm(true)),
    });
  });

  it("no change: both pointers stay", () => {
    const s = step({ currentRevision: rev(apm(true)), previousRevision: "old-rev" }, apm(true));
    expect(s.status).toEqual({ currentRevision: rev(apm(true)), previousRevision: "old-rev" });
    expect(s.specChanged).toBe(false);
    expect(s.transitions).toEqual([]);
  });
});

describe("phase transitions", () => {
  it("no experiment, spec unchanged: nothing to do", () => {
    const status = { currentRevision: rev(apm(true)) };
    const s = step(status, apm(true));
    expect(s.status).toEqual(status);
    expect(s.restore).toBeUndefined();
    expect(s.requeueAfterMs).toBeUndefined();
  });

  it("running without startedAt: the clock starts at this reconcile (metav1.Time precision)", () => {
    const now = new Date("2026-03-01T12:00:00.750Z");
    const s = step(
      { currentRevision: rev(apm(true)), experiment: { phase: "running", id: "e1" } },
      apm(true),
      now,
    );
    expect(s.status.experiment?.startedAt).toBe("2026-03-01T12:00:00Z");
    expect(s.transitions).toContainEqual({
      type: "clock-started",
      id: "e1",
      startedAt: "2026-03-01T12:00:00Z",
    });
    // The 30-minute default is the next deadline.
    expect(s.requeueAfterMs).toBe(30 * 60_000 - 750);
  });

  it("running, no conflict, no timeout: stays running and requeues at the timeout", () => {
    const status: AgentStatus = {
      currentRevision: rev(apm(true)),
      experiment: { phase: "running", id: "e1", startedAt: toMetaTime(T0), baselineRevision: "baseline-rev" },
    };
    const s = step(status, apm(true), minutes(5));
    expect(s.status).toEqual(status);
    expect(s.restore).toBeUndefined();
    expect(s.requeueAfterMs).toBe(25 * 60_000);
  });

  it("rollback with a baseline: restore it, persist {phase, id} without baseline or startedAt, requeue at once", () => {
    const s = step(
      {
        currentRevision: rev(npm(true)),
        experiment: {
          phase: "rollback",
          id: "e1",
          baselineRevision: "baseline-rev",
          startedAt: toMetaTime(T0),
        },
      },
      npm(true),
    );
    expect(s.restore).toEqual({ revision: "baseline-rev", phase: "rollback", id: "e1" });
    expect(s.status.experiment).toEqual({ phase: "rollback", id: "e1" });
    expect(s.requeueAfterMs).toBe(0);
  });

  it("rollback, second reconcile (baseline cleared): the experiment is cleared, the restored spec becomes current", () => {
    const s = step(
      {
        currentRevision: rev(npm(true)),
        previousRevision: rev(apm(true)),
        experiment: { phase: "rollback", id: "e1" },
      },
      apm(true),
    );
    expect(s.restore).toBeUndefined();
    expect(s.status.experiment).toBeUndefined();
    expect(s.status.currentRevision).toBe(rev(apm(true)));
    expect(s.status.previousRevision).toBe(rev(npm(true)));
    expect(s.transitions).toContainEqual({ type: "cleared", id: "e1", phase: "rollback" });
  });

  it("promoted: the experiment is cleared, the candidate stays current", () => {
    const s = step(
      {
        currentRevision: rev(apm(true)),
        experiment: { phase: "promoted", id: "e1", baselineRevision: "baseline-rev" },
      },
      apm(true),
    );
    expect(s.status.experiment).toBeUndefined();
    expect(s.status.currentRevision).toBe(rev(apm(true)));
    expect(s.restore).toBeUndefined();
  });

  it("aborted: left as is (the user's edit wins, nothing restored) until the next start", () => {
    const status: AgentStatus = {
      currentRevision: rev(npm(true)),
      experiment: { phase: "aborted", id: "e1", baselineRevision: "baseline-rev" },
    };
    const s = step(status, npm(true));
    expect(s.status).toEqual(status);
    expect(s.restore).toBeUndefined();
  });
});

describe("timeout (fake clock)", () => {
  const running = (startedAt: Date, timeoutSeconds?: number): AgentStatus => ({
    currentRevision: rev(npm(true)),
    experiment: {
      phase: "running",
      id: "e1",
      startedAt: toMetaTime(startedAt),
      baselineRevision: "baseline-rev",
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
    },
  });

  it("30-minute default: running at 29:59, timed out with the baseline restored at 30:00", () => {
    const before = step(running(T0), npm(true), new Date(T0.getTime() + 30 * 60_000 - 1000));
    expect(before.restore).toBeUndefined();
    expect(before.requeueAfterMs).toBe(1000);
    const at = step(running(T0), npm(true), minutes(30));
    expect(at.restore).toEqual({ revision: "baseline-rev", phase: "timeout", id: "e1" });
    expect(at.status.experiment).toEqual({ phase: "timeout", id: "e1" });
    expect(at.requeueAfterMs).toBe(0);
  });

  it("after a restart long past the deadline: times out at the first reconcile, from the status alone", () => {
    const s = step(running(T0), npm(true), minutes(120));
    expect(s.restore?.phase).toBe("timeout");
  });

  it("a per-experiment timeout (status.experiment.timeoutSeconds) replaces the default", () => {
    expect(step(running(T0, 60), npm(true), minutes(0.5)).restore).toBeUndefined();
    expect(step(running(T0, 60), npm(true), minutes(1)).restore?.phase).toBe("timeout");
  });

  it("timeout, second reconcile: cleared like a rollback", () => {
    const s = step(
      { currentRevision: rev(npm(true)), experiment: { phase: "timeout", id: "e1" } },
      apm(true),
    );
    expect(s.status.experiment).toBeUndefined();
    expect(s.status.currentRevision).toBe(rev(apm(true)));
  });
});

describe("conflict detection", () => {
  const baselineSpec = apm(false);
  const candidateSpec = npm(true);

  it("an outside edit after the candidate landed aborts: startedAt cleared, baseline kept, spec not restored", () => {
    const s = step(
      {
        currentRevision: rev(apm(true)),
        experiment: {
          phase: "running",
          id: "e1",
          startedAt: toMetaTime(T0),
          baselineRevision: "baseline-rev",
        },
      },
      npm(true),
      minutes(5),
    );
    expect(s.status.experiment).toEqual({ phase: "aborted", id: "e1", baselineRevision: "baseline-rev" });
    expect(s.restore).toBeUndefined();
    expect(s.transitions.find((t) => t.type === "aborted")).toMatchObject({ id: "e1" });
    expect(s.requeueAfterMs).toBeUndefined();
  });

  it("first reconcile after the start, spec = the experiment's config: runs on, expectedSpecHash cleared", () => {
    const s = step(
      {
        currentRevision: rev(baselineSpec),
        experiment: {
          phase: "running",
          id: "e1",
          baselineRevision: rev(baselineSpec),
          expectedSpecHash: specHash(candidateSpec),
        },
      },
      candidateSpec,
    );
    expect(s.status.experiment?.phase).toBe("running");
    expect(s.status.experiment?.expectedSpecHash).toBeUndefined();
    expect(s.transitions).toContainEqual({ type: "candidate-landed", id: "e1" });
  });

  it("a user edit between the start and its first reconcile (hash mismatch) aborts", () => {
    const s = step(
      {
        currentRevision: rev(baselineSpec),
        experiment: {
          phase: "running",
          id: "e1",
          baselineRevision: rev(baselineSpec),
          expectedSpecHash: specHash(candidateSpec),
        },
      },
      apm(true),
    );
    expect(s.status.experiment?.phase).toBe("aborted");
    expect(s.transitions.find((t) => t.type === "aborted")).toMatchObject({
      reason: expect.stringContaining("does not match the experiment's config"),
    });
  });

  it("with the hash cleared, any further spec change aborts", () => {
    const landed = step(
      {
        currentRevision: rev(baselineSpec),
        experiment: {
          phase: "running",
          id: "e1",
          baselineRevision: rev(baselineSpec),
          expectedSpecHash: specHash(candidateSpec),
        },
      },
      candidateSpec,
    );
    const edited = step(landed.status, { ...candidateSpec, global: { logLevel: "debug" } });
    expect(edited.status.experiment?.phase).toBe("aborted");
  });

  it("status before spec: the hash survives a reconcile that still sees the baseline, then validates the candidate", () => {
    const first = step(
      {
        currentRevision: rev(baselineSpec),
        experiment: {
          phase: "running",
          id: "e1",
          baselineRevision: rev(baselineSpec),
          expectedSpecHash: specHash(candidateSpec),
        },
      },
      baselineSpec,
    );
    expect(first.status.experiment?.phase).toBe("running");
    expect(first.status.experiment?.expectedSpecHash).toBe(specHash(candidateSpec));
    const second = step(first.status, candidateSpec);
    expect(second.status.experiment?.phase).toBe("running");
    expect(second.status.experiment?.expectedSpecHash).toBeUndefined();
  });
});

describe("signal guards (upstream handle*Experiment)", () => {
  const reconciled: AgentStatus = { currentRevision: "datadog-agent-baseline" };
  const withPhase = (phase: NonNullable<AgentStatus["experiment"]>["phase"], extra = {}): AgentStatus => ({
    currentRevision: "datadog-agent-abc123",
    experiment: { phase, baselineRevision: "datadog-agent-baseline", id: "exp-001", ...extra },
  });

  it("start succeeds on a reconciled agent: running, baseline = currentRevision, hash set, clock not started", () => {
    expect(canStart(reconciled, "exp-001")).toEqual({ ok: true });
    expect(startedStatus(reconciled, { id: "exp-001", expectedSpecHash: "0123456789" }).experiment).toEqual({
      phase: "running",
      baselineRevision: "datadog-agent-baseline",
      id: "exp-001",
      expectedSpecHash: "0123456789",
    });
  });

  it("a retry of the same start keeps the clock and baseline a reconcile set meanwhile", () => {
    const clockStarted = withPhase("running", {
      expectedSpecHash: "0123456789",
      startedAt: "2026-11-23T01:00:00Z",
    });
    const retried = startedStatus(clockStarted, { id: "exp-001", expectedSpecHash: "0123456789" });
    expect(retried).toEqual(clockStarted);
    // Another id is a new start: its own baseline, no clock.
    expect(
      startedStatus({ currentRevision: "datadog-agent-abc123" }, { id: "exp-002", expectedSpecHash: "x" })
        .experiment,
    ).toEqual({
      phase: "running",
      baselineRevision: "datadog-agent-abc123",
      id: "exp-002",
      expectedSpecHash: "x",
    });
  });

  it("stop: running with the same id → rollback with the baseline kept", () => {
    expect(canEnd(withPhase("running"), "exp-001", "stop")).toEqual({ ok: true });
    expect(stoppedStatus(withPhase("running")).experiment).toEqual({
      phase: "rollback",
      baselineRevision: "datadog-agent-baseline",
      id: "exp-001",
    });
  });

  it("promote: running with the same id → promoted with the baseline released", () => {
    expect(canEnd(withPhase("running"), "exp-001", "promote")).toEqual({ ok: true });
    expect(promotedStatus(withPhase("running")).experiment).toEqual({ phase: "promoted", id: "exp-001" });
  });
});

describe("health gate (fake clock)", () => {
  const candidate = npm(true);
  const crashing = (since: Date) => ({
    name: "datadog-agent-x7k2p",
    node: "kwok-on-demand-0",
    ready: false,
    unavailableSince: since,
    reason: "CrashLoopBackOff (Error, exit code 1)",
  });
  const running = (extra = {}): AgentStatus => ({
    currentRevision: rev(candidate),
    experiment: {
      phase: "running",
      id: "e1",
      startedAt: toMetaTime(T0),
      baselineRevision: "baseline-rev",
      ...extra,
    },
  });
  const gated = (status: AgentStatus, pods: ReturnType<typeof crashing>[], now: Date) =>
    stepLifecycle(status, {
      revision: rev(candidate),
      hash: specHash(candidate),
      now,
      defaultTimeoutSeconds: DEFAULT_TIMEOUT,
      pods,
      defaultHealthGate: { enabled: true, thresholdPercent: 10, graceSeconds: 120 },
    });

  it("a crash-looping candidate: runs on within the grace (requeued at the trip time), rollback with reason unhealthy at it", () => {
    const within = gated(running(), [crashing(minutes(1))], minutes(2));
    expect(within.status.experiment?.phase).toBe("running");
    expect(within.requeueAfterMs).toBe(60_000); // trips at 1 min + 2 min grace

    const tripped = gated(running(), [crashing(minutes(1))], minutes(3));
    expect(tripped.status.experiment).toEqual({
      phase: "rollback",
      reason: "unhealthy",
      id: "e1",
      startedAt: toMetaTime(T0),
      baselineRevision: "baseline-rev",
    });
    expect(tripped.restore).toBeUndefined(); // decided in the status first; restored next
    expect(tripped.requeueAfterMs).toBe(0);
    const t = tripped.transitions.find((x) => x.type === "unhealthy");
    expect(t).toMatchObject({ id: "e1", verdict: { state: "unhealthy", failing: [expect.anything()] } });
  });

  it("the next reconcile restores the baseline and keeps reason unhealthy in the terminal status", () => {
    const tripped = gated(running(), [crashing(T0)], minutes(5));
    const restored = gated(tripped.status, [crashing(T0)], minutes(5));
    expect(restored.restore).toEqual({ revision: "baseline-rev", phase: "rollback", id: "e1" });
    expect(restored.status.experiment).toEqual({ phase: "rollback", id: "e1", reason: "unhealthy" });
    // Then cleared as any rollback.
    const cleared = step(restored.status, apm(true));
    expect(cleared.status.experiment).toBeUndefined();
  });

  it("a healthy candidate is unaffected: requeued only at the timeout", () => {
    const healthy = { ...crashing(T0), ready: true };
    const s = gated(running(), [healthy], minutes(10));
    expect(s.status).toEqual(running());
    expect(s.requeueAfterMs).toBe(20 * 60_000);
  });

  it("the experiment's own settings win over the defaults; a disabled gate only reports", () => {
    const strict = running({ healthGate: { enabled: true, thresholdPercent: 0, graceSeconds: 10 } });
    expect(gated(strict, [crashing(T0)], minutes(0.2)).status.experiment?.phase).toBe("rollback");
    const off = running({ healthGate: { enabled: false, thresholdPercent: 10, graceSeconds: 10 } });
    const s = gated(off, [crashing(T0)], minutes(10));
    expect(s.status.experiment?.phase).toBe("running");
    expect(s.transitions).toEqual([]);
  });

  it("not judged before the candidate has landed (expectedSpecHash still set)", () => {
    const s = gated(running({ expectedSpecHash: specHash(candidate) }), [crashing(T0)], minutes(10));
    expect(s.status.experiment?.phase).toBe("running");
  });

  it("after a restart long past the grace: rolled back at the first reconcile, from the status and the pods alone", () => {
    const s = gated(running(), [crashing(T0)], minutes(25));
    expect(s.status.experiment).toMatchObject({ phase: "rollback", reason: "unhealthy" });
  });

  it("the timeout still comes first", () => {
    const s = gated(running(), [crashing(T0)], minutes(31));
    expect(s.restore?.phase).toBe("timeout");
  });
});
