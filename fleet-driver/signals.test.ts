// The mapping of a cluster's own experiment (its rows) to the fleet driver's signals.
import { describe, expect, it } from "vitest";
import type { AgentRollout, CandidateHealth } from "../lib/rollout";
import { candidateSignal, experimentSignal, targetSignal, type ExperimentRow } from "./signals";
import { slackEscape, slackMessage } from "./notify";

const row = (extra: Partial<ExperimentRow> = {}): ExperimentRow => ({
  endReason: null,
  reason: null,
  endedBy: null,
  baselineRevision: "datadog-aaaaaaaaaa",
  candidateRevision: "datadog-bbbbbbbbbb",
  startedAt: new Date("2026-12-01T12:00:00Z"),
  timeoutSeconds: 600,
  ...extra,
});

describe("the per-cluster experiment, as the fleet driver reads it", () => {
  it.each<[string, Partial<ExperimentRow>, boolean, object]>([
    [
      "running, its deadline from its clock",
      {},
      false,
      { status: "running", deadline: Date.parse("2026-12-01T12:10:00Z") },
    ],
    [
      "running before its clock starts: no deadline yet",
      { startedAt: null },
      false,
      { status: "running", deadline: null },
    ],
    ["promoted", { endReason: "promoted" }, false, { status: "promoted" }],
    [
      "rolled back by its health gate",
      { endReason: "unhealthy", reason: "unhealthy: 1 of 1 candidate pods unavailable for more than 20 s" },
      false,
      {
        status: "ended",
        ending: "rolled back by its health gate: 1 of 1 candidate pods unavailable for more than 20 s",
      },
    ],
    [
      "stopped by this fleet experiment",
      { endReason: "stopped", reason: "stopped by alice" },
      true,
      { status: "ended", stoppedByUs: true },
    ],
    [
      "stopped by someone else",
      { endReason: "stopped", reason: "stopped by bob; baseline restored" },
      false,
      { status: "ended", stoppedByUs: false, ending: "rolled back: stopped by bob; baseline restored" },
    ],
    [
      "timed out",
      { endReason: "timed_out", reason: "timed out after 600 s" },
      false,
      { status: "ended", ending: "timed out: timed out after 600 s" },
    ],
    [
      "aborted by an outside edit",
      { endReason: "conflict", reason: "the spec was edited" },
      false,
      { status: "ended", abortedByEdit: true, ending: "aborted by an outside edit: the spec was edited" },
    ],
  ])("%s", (_name, extra, stoppedByUs, expected) => {
    expect(experimentSignal(row(extra), stoppedByUs)).toMatchObject(expected);
  });
});

const candidate = (extra: Partial<CandidateHealth> = {}): CandidateHealth => ({
  experimentId: "fx",
  revision: "datadog-bbbbbbbbbb",
  hash: "bbbbbbbbbb",
  pods: 7,
  ready: 7,
  unavailable: 0,
  failing: 0,
  desired: 7,
  state: "healthy",
  tripsAt: null,
  summary: "7 of 7 candidate pods ready",
  thresholdPercent: 10,
  graceSeconds: 20,
  enabled: true,
  ...extra,
});
const rollout = (c: CandidateHealth | null) => ({ candidate: c }) as AgentRollout;

describe("the candidate's health", () => {
  it.each<[string, CandidateHealth | null, string]>([
    ["every candidate pod there and ready", candidate(), "ready"],
    [
      "no pod yet (the gate calls that healthy)",
      candidate({ pods: 0, ready: 0, summary: "no candidate pod yet" }),
      "progressing",
    ],
    ["still rolling out", candidate({ pods: 3, ready: 3 }), "progressing"],
    ["a pod unavailable within the gate's threshold", candidate({ ready: 6, unavailable: 1 }), "progressing"],
    [
      "unhealthy by its gate",
      candidate({ state: "unhealthy", ready: 0, failing: 1, summary: "crash" }),
      "unhealthy",
    ],
    ["another experiment's candidate", candidate({ experimentId: "other" }), "unknown"],
    ["no candidate", null, "unknown"],
  ])("%s → %s", (_name, c, state) => {
    expect(candidateSignal(rollout(c), "fx").state).toBe(state);
  });
});

describe("a target's signal", () => {
  it("counts our experiment as in progress while its end is decided but not carried out (running, ending), not once terminated", () => {
    const base = {
      reporting: true,
      lastHeartbeatAt: null,
      commands: { start: { id: 3, status: "applied", message: "ok" } },
      experiment: row({ endReason: "unhealthy", reason: "unhealthy: crash" }),
      rollout: null,
    };
    const restoring = targetSignal(
      {
        ...base,
        agent: {
          currentRevision: "datadog-bbbbbbbbbb",
          experiment: {
            phase: "running",
            id: "fx",
            ending: "unhealthy",
            baselineRevision: "datadog-aaaaaaaaaa",
          },
        },
      },
      "fx",
    );
    expect(restoring.experimentActive).toBe(true);
    const restored = targetSignal(
      {
        ...base,
        agent: {
          currentRevision: "datadog-aaaaaaaaaa",
          experiment: { phase: "terminated", terminationReason: "unhealthy", id: "fx" },
        },
      },
      "fx",
    );
    expect(restored).toMatchObject({ experimentActive: false, currentRevision: "datadog-aaaaaaaaaa" });
    expect(restored.commands.start).toEqual({ id: 3, status: "applied", message: "ok" });
  });
});

describe("notifications, as Slack's incoming webhooks take them", () => {
  it("escapes Slack's control characters and links the fleet experiment's page", () => {
    expect(slackEscape("a < b & c > d")).toBe("a &lt; b &amp; c &gt; d");
    expect(slackMessage("apm-on", "wave 1 passed: east", "https://fleet.example/")).toEqual({
      text: "fleetdeck: fleet experiment <https://fleet.example/fleet-experiments/apm-on|apm-on>: wave 1 passed: east",
    });
    expect(slackMessage("apm-on", "halted: x <y>")).toEqual({
      text: "fleetdeck: fleet experiment *apm-on*: halted: x &lt;y&gt;",
    });
  });
});
