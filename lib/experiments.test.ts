// The experiment guards (upstream's signal handling, in today's operator phases) and the manual
// restore's, shared by the controller's command handlers and the dashboard's buttons.
import { describe, expect, it } from "vitest";
import type { AgentStatus } from "./agents";
import { activeExperiment, canEnd, canPromoteCandidate, canRestore, canStart } from "./experiments";

describe("signal guards (upstream handle*Experiment)", () => {
  const reconciled: AgentStatus = { currentRevision: "datadog-agent-baseline" };
  const withPhase = (phase: NonNullable<AgentStatus["experiment"]>["phase"], extra = {}): AgentStatus => ({
    currentRevision: "datadog-agent-abc123",
    experiment: { phase, baselineRevision: "datadog-agent-baseline", id: "exp-001", ...extra },
  });

  it("start refused before the first reconcile (no currentRevision)", () => {
    expect(canStart({}, "exp-001")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no currentRevision"),
    });
  });

  it("start refused while another experiment runs, and while one is ending", () => {
    expect(canStart(withPhase("running"), "exp-002")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("active (phase=running"),
    });
    expect(canStart(withPhase("running", { expectedSpecHash: "abc123" }), "exp-002")).toMatchObject({
      ok: false,
    });
    expect(canStart(withPhase("running", { ending: "stopped" }), "exp-002")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("is ending (stopped)"),
    });
  });

  it("start allowed as a retry of the same id while its spec has not landed, and after any end", () => {
    expect(canStart(withPhase("running", { expectedSpecHash: "abc123" }), "exp-001")).toEqual({ ok: true });
    expect(canStart(withPhase("running"), "exp-001")).toMatchObject({ ok: false }); // landed: not a retry
    for (const phase of ["aborted", "terminated", "promoted"] as const) {
      expect(canStart(withPhase(phase), "exp-002")).toEqual({ ok: true });
    }
  });

  it("stop/promote with no experiment, an ended or ending one, or another id: not applied, with the reason", () => {
    for (const action of ["stop", "promote"] as const) {
      expect(canEnd(reconciled, "exp-001", action)).toMatchObject({
        ok: false,
        reason: expect.stringContaining("none is running"),
      });
      expect(canEnd(withPhase("aborted"), "exp-001", action)).toMatchObject({
        ok: false,
        reason: expect.stringContaining("not running (phase=aborted)"),
      });
      expect(
        canEnd(withPhase("terminated", { terminationReason: "timed_out" }), "exp-001", action),
      ).toMatchObject({
        ok: false,
        reason: expect.stringContaining("not running (phase=terminated, timed_out)"),
      });
      expect(canEnd(withPhase("running", { ending: "unhealthy" }), "exp-001", action)).toMatchObject({
        ok: false,
        reason: expect.stringContaining("already ending (unhealthy)"),
      });
      expect(canEnd(withPhase("running"), "exp-999", action)).toMatchObject({
        ok: false,
        reason: expect.stringContaining("id mismatch"),
      });
    }
  });

  it("a manual restore waits for a running experiment (its end included until the cluster shows it), not for an ended one", () => {
    expect(activeExperiment(withPhase("running"))?.id).toBe("exp-001");
    expect(activeExperiment(withPhase("running", { ending: "stopped" }))?.ending).toBe("stopped");
    expect(activeExperiment(withPhase("terminated", { terminationReason: "stopped" }))).toBeUndefined();
    expect(activeExperiment(withPhase("aborted"))).toBeUndefined();
    expect(activeExperiment(reconciled)).toBeUndefined();
  });

  it("a restore is refused while an experiment is in progress, with the controller's reason", () => {
    expect(canRestore(withPhase("running"), "datadog-agent-baseline")).toEqual({
      ok: false,
      reason:
        "experiment exp-001 is in progress (phase=running): promote or stop it before restoring a revision",
    });
    // A stop or a timeout whose restore is still to be carried out holds the restore back too.
    expect(canRestore(withPhase("running", { ending: "timed_out" }), "datadog-agent-old")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("(phase=running)"),
    });
  });

  it("a restore of the current revision has nothing to do; any other revision is allowed once the experiment is over", () => {
    expect(canRestore(reconciled, "datadog-agent-baseline")).toEqual({
      ok: false,
      reason: "revision datadog-agent-baseline is already current",
      nothingToDo: true,
    });
    expect(canRestore(reconciled, "datadog-agent-old")).toEqual({ ok: true });
    // Terminated (its baseline restored), aborted or promoted: nothing to wait for.
    const restored: AgentStatus = {
      ...reconciled,
      experiment: { phase: "terminated", terminationReason: "timed_out", id: "x" },
    };
    expect(canRestore(restored, "datadog-agent-old")).toEqual({ ok: true });
    expect(canRestore(withPhase("aborted"), "datadog-agent-old")).toEqual({ ok: true });
    expect(canRestore(withPhase("promoted"), "datadog-agent-old")).toEqual({ ok: true });
  });
});

describe("promote and the candidate's health (fleetdeck)", () => {
  it("refused while the health gate finds the candidate unhealthy, with what it sees; allowed otherwise", () => {
    const summary =
      "1 of 1 candidate pods unavailable for more than 120 s (the gate allows 0): datadog-agent-x on node-1: CrashLoopBackOff";
    expect(canPromoteCandidate({ state: "unhealthy", summary })).toEqual({
      ok: false,
      reason: `the candidate is unhealthy: ${summary}. Stop the experiment, or let the health gate roll it back`,
    });
    expect(
      canPromoteCandidate({ state: "progressing", summary: "1 of 1 candidate pods unavailable" }),
    ).toEqual({ ok: true });
    expect(canPromoteCandidate({ state: "healthy", summary: "" })).toEqual({ ok: true });
    expect(canPromoteCandidate(null)).toEqual({ ok: true });
  });
});
