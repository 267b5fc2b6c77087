// The fleet experiment's rules with a fake clock: waves in order, concurrency, bake, approval,
// pause, advance, and the halt that puts every touched cluster back, confirmed.
import { describe, expect, it } from "vitest";
import type { FleetPhase } from "../lib/fleet-experiments";
import {
  NEW_TARGET,
  isSettled,
  revisionHash,
  stepFleet,
  targetKey,
  type CommandSignal,
  type ExperimentSignal,
  type FleetMemo,
  type TargetInput,
  type TargetMemo,
  type TargetRef,
  type TargetSignal,
} from "./rules";

const T0 = Date.parse("2026-12-01T12:00:00Z");
const s = (n: number) => T0 + n * 1000;
const BASE = "datadog-aaaaaaaaaa";
const CAND = "datadog-bbbbbbbbbb";

const ref = (clusterName: string, wave: number, agentKey = "datadog/datadog"): TargetRef => ({
  wave,
  clusterId: `id-${clusterName}`,
  clusterName,
  agentKey,
});

const applied = (id = 1): CommandSignal => ({ id, status: "applied", message: "ok" });
const pending = (id = 1): CommandSignal => ({ id, status: "pending", message: null });

const running = (extra: Partial<ExperimentSignal> = {}): ExperimentSignal => ({
  status: "running",
  ending: null,
  abortedByEdit: false,
  stoppedByUs: false,
  baselineRevision: BASE,
  candidateRevision: CAND,
  deadline: s(1800),
  ...extra,
});
const promoted = () => running({ status: "promoted" });
const ended = (ending: string, extra: Partial<ExperimentSignal> = {}) =>
  running({ status: "ended", ending, ...extra });

function signal(extra: Partial<TargetSignal> = {}): TargetSignal {
  return {
    reporting: true,
    lastHeartbeatAt: "2026-12-01T12:00:00.000Z",
    commands: {},
    experiment: null,
    candidate: { state: "unknown", summary: "no candidate pod yet" },
    currentRevision: BASE,
    experimentActive: false,
    ...extra,
  };
}
/** A target whose experiment runs, its candidate landed and `ready` or not. */
const runningSignal = (ready: boolean, extra: Partial<TargetSignal> = {}) =>
  signal({
    commands: { start: applied() },
    experiment: running(),
    candidate: ready
      ? { state: "ready", summary: "6 of 6 candidate pods ready" }
      : { state: "progressing", summary: "3 of 6 ready" },
    currentRevision: CAND,
    experimentActive: true,
    ...extra,
  });
const passedSignal = (extra: Partial<TargetSignal> = {}) =>
  signal({
    commands: { start: applied(), promote: applied(2) },
    experiment: promoted(),
    currentRevision: CAND,
    ...extra,
  });

const plan = (...waves: { bake?: number; max?: number; manual?: boolean }[]) =>
  waves.map((w) => ({
    bakeSeconds: w.bake ?? 0,
    maxConcurrent: w.max ?? 10,
    approval: w.manual ? ("manual" as const) : ("automatic" as const),
  }));

const fleet = (phase: FleetPhase = "running", extra: Partial<FleetMemo> = {}): FleetMemo => ({
  phase,
  wave: 0,
  approvedWave: 0,
  advancedWave: null,
  haltCause: null,
  ...extra,
});

const input = (r: TargetRef, sig: TargetSignal, memo: Partial<TargetMemo> = {}): TargetInput => ({
  ref: r,
  signal: sig,
  memo: { ...NEW_TARGET, ...memo },
});

const commandsOf = (d: ReturnType<typeof stepFleet>) =>
  d.commands.map((c) => `${c.step} ${c.ref.clusterName}`);
const stateOf = (d: ReturnType<typeof stepFleet>, r: TargetRef) => d.targets.get(targetKey(r))!;

const east = ref("east", 0);
const west = ref("west", 1);
const north = ref("north", 1);

describe("waves in order", () => {
  it("the first step starts the first wave's clusters, and nothing of the next", () => {
    const d = stepFleet(fleet(), plan({}, {}), [input(east, signal()), input(west, signal())], s(0));
    expect(commandsOf(d)).toEqual(["start east"]);
    expect(stateOf(d, east).state).toBe("running");
    expect(stateOf(d, west).state).toBe("waiting");
    expect(d.events.map((e) => e.kind)).toEqual(["wave-started", "cluster-started"]);
    expect(d.fleet.phase).toBe("running");
  });

  it("a cluster with several DatadogAgents starts them all at once, counted as one cluster", () => {
    const a = ref("east", 0, "ns/a");
    const b = ref("east", 0, "ns/b");
    const c = ref("south", 0, "ns/a");
    const d = stepFleet(
      fleet(),
      plan({ max: 1 }),
      [input(a, signal()), input(b, signal()), input(c, signal())],
      s(0),
    );
    expect(d.commands.map((x) => `${x.step} ${x.ref.clusterName} ${x.ref.agentKey}`)).toEqual([
      "start east ns/a",
      "start east ns/b",
    ]);
  });

  it.each([
    { max: 1, started: ["start west"] },
    { max: 2, started: ["start west", "start north"] },
  ])("maxConcurrent $max: at most that many clusters change at once", ({ max, started }) => {
    const d = stepFleet(
      fleet("running", { wave: 1 }),
      plan({}, { max }),
      [input(east, passedSignal(), { state: "passed" }), input(west, signal()), input(north, signal())],
      s(0),
    );
    expect(commandsOf(d)).toEqual(started);
  });

  it("with maxConcurrent 1, the next cluster starts when the first has passed", () => {
    const targets = [
      input(east, passedSignal(), { state: "passed" }),
      input(west, passedSignal(), { state: "baking" }),
      input(north, signal()),
    ];
    const d = stepFleet(fleet("running", { wave: 1 }), plan({}, { max: 1 }), targets, s(0));
    expect(stateOf(d, west).state).toBe("passed");
    expect(commandsOf(d)).toEqual(["start north"]);
  });

  it("a wave whose clusters all passed hands over to the next in the same step", () => {
    const d = stepFleet(
      fleet(),
      plan({}, {}),
      [input(east, passedSignal(), { state: "baking" }), input(west, signal())],
      s(0),
    );
    expect(d.fleet.wave).toBe(1);
    expect(commandsOf(d)).toEqual(["start west"]);
    expect(d.events.map((e) => e.kind)).toEqual([
      "cluster-passed",
      "wave-passed",
      "wave-started",
      "cluster-started",
    ]);
  });

  it("the last wave passing promotes the fleet experiment, which is then settled", () => {
    const d = stepFleet(
      fleet("running", { wave: 1 }),
      plan({}, {}),
      [input(east, passedSignal(), { state: "passed" }), input(west, passedSignal(), { state: "baking" })],
      s(0),
    );
    expect(d.fleet.phase).toBe("promoted");
    expect(d.settled).toBe(true);
    expect(d.events.at(-1)).toMatchObject({ kind: "promoted", text: "promoted everywhere: east, west" });
  });
});

describe("a started cluster: running, baking, passed", () => {
  it.each<[string, Partial<TargetSignal>, string, string]>([
    ["start pending", { commands: { start: pending(7) } }, "running", "start requested (command #7 pending)"],
    [
      "start applied, experiment not recorded yet",
      { commands: { start: applied() } },
      "running",
      "started; waiting for its controller to record the experiment",
    ],
    ["candidate rolling out", runningSignal(false), "running", "3 of 6 ready"],
    [
      "promote pending",
      { ...runningSignal(true), commands: { start: applied(), promote: pending(9) } },
      "baking",
      "promote requested (command #9 pending)",
    ],
    ["promoted", passedSignal(), "passed", "promoted"],
  ])("%s", (_name, sig, state, detail) => {
    const d = stepFleet(
      fleet(),
      plan({ bake: 60 }, {}),
      [input(east, signal(sig)), input(west, signal())],
      s(0),
    );
    expect(stateOf(d, east)).toMatchObject({ state, detail });
  });

  it("bakes for the wave's bake time from the moment its candidate is ready, then promotes", () => {
    const p = plan({ bake: 60 }, {});
    const first = stepFleet(fleet(), p, [input(east, runningSignal(true)), input(west, signal())], s(10));
    expect(stateOf(first, east)).toMatchObject({
      state: "baking",
      healthySince: s(10),
      detail: "healthy; baking until 2026-12-01T12:01:10.000Z",
    });
    expect(commandsOf(first)).toEqual([]);
    const memo = stateOf(first, east);
    const half = stepFleet(
      first.fleet,
      p,
      [input(east, runningSignal(true), memo), input(west, signal())],
      s(40),
    );
    expect(commandsOf(half)).toEqual([]);
    expect(stateOf(half, east)).toEqual(memo);
    const done = stepFleet(
      first.fleet,
      p,
      [input(east, runningSignal(true), memo), input(west, signal())],
      s(70),
    );
    expect(commandsOf(done)).toEqual(["promote east"]);
  });

  it("a candidate that stops being ready starts its bake again", () => {
    const p = plan({ bake: 60 }, {});
    const d = stepFleet(
      fleet(),
      p,
      [input(east, runningSignal(false), { state: "baking", healthySince: s(0) }), input(west, signal())],
      s(50),
    );
    expect(stateOf(d, east)).toMatchObject({ state: "running", healthySince: null });
    const again = stepFleet(
      fleet(),
      p,
      [input(east, runningSignal(true), stateOf(d, east)), input(west, signal())],
      s(55),
    );
    expect(stateOf(again, east).healthySince).toBe(s(55));
  });

  it("bake time 0 promotes as soon as the candidate is ready", () => {
    const d = stepFleet(
      fleet(),
      plan({}, {}),
      [input(east, runningSignal(true)), input(west, signal())],
      s(0),
    );
    expect(commandsOf(d)).toEqual(["promote east"]);
  });

  it("advance cuts the current wave's bake short, for clusters whose candidate is ready only", () => {
    const p = plan({ bake: 3600, max: 2 }, {});
    const other = ref("south", 0);
    const d = stepFleet(
      fleet("running", { advancedWave: 0 }),
      p,
      [input(east, runningSignal(true)), input(other, runningSignal(false)), input(west, signal())],
      s(0),
    );
    expect(commandsOf(d)).toEqual(["promote east"]);
  });
});

describe("approval and pause", () => {
  it("a manual wave waits for approval once the wave before passed, and says so once", () => {
    const p = plan({}, { manual: true });
    const d = stepFleet(
      fleet(),
      p,
      [input(east, passedSignal(), { state: "baking" }), input(west, signal())],
      s(0),
    );
    expect(d.fleet).toMatchObject({ phase: "waiting-approval", wave: 1 });
    expect(commandsOf(d)).toEqual([]);
    expect(d.events.map((e) => e.kind)).toEqual(["cluster-passed", "wave-passed", "waiting-approval"]);
    const still = stepFleet(
      d.fleet,
      p,
      [input(east, passedSignal(), { state: "passed" }), input(west, signal())],
      s(5),
    );
    expect(still.events).toEqual([]);
    expect(still.fleet.phase).toBe("waiting-approval");
  });

  it("once approved, the wave starts", () => {
    const d = stepFleet(
      fleet("running", { wave: 1, approvedWave: 1 }),
      plan({}, { manual: true }),
      [input(east, passedSignal(), { state: "passed" }), input(west, signal())],
      s(0),
    );
    expect(d.fleet.phase).toBe("running");
    expect(commandsOf(d)).toEqual(["start west"]);
  });

  it("paused: no cluster starts and nothing is promoted, even baked", () => {
    const d = stepFleet(
      fleet("paused"),
      plan({ max: 1 }, {}),
      [input(east, runningSignal(true)), input(ref("south", 0), signal()), input(west, signal())],
      s(0),
    );
    expect(commandsOf(d)).toEqual([]);
    expect(stateOf(d, east).detail).toBe("baked; promoted once the fleet experiment resumes");
    expect(d.fleet.phase).toBe("paused");
  });

  it("a wave that passed during a pause still waits for approval after the resume", () => {
    const p = plan({}, { manual: true });
    const paused = stepFleet(
      fleet("paused"),
      p,
      [input(east, passedSignal(), { state: "baking" }), input(west, signal())],
      s(0),
    );
    expect(paused.fleet).toMatchObject({ phase: "paused", wave: 1 });
    const resumed = stepFleet(
      { ...paused.fleet, phase: "running" },
      p,
      [input(east, passedSignal(), { state: "passed" }), input(west, signal())],
      s(1),
    );
    expect(resumed.fleet.phase).toBe("waiting-approval");
    expect(commandsOf(resumed)).toEqual([]);
  });
});

describe("the first sign of trouble halts it", () => {
  it.each<[string, Partial<TargetSignal>, string, string[]?]>([
    [
      "its health gate rolled it back",
      {
        commands: { start: applied() },
        experiment: ended("rolled back by its health gate: 1 of 1 candidate pods unavailable"),
      },
      "west: datadog/datadog: rolled back by its health gate: 1 of 1 candidate pods unavailable",
    ],
    [
      "it timed out",
      { commands: { start: applied() }, experiment: ended("timed out after 600 s") },
      "west: datadog/datadog: timed out after 600 s",
    ],
    [
      "an outside edit aborted it",
      {
        commands: { start: applied() },
        experiment: ended("aborted: the spec was edited", { abortedByEdit: true }),
      },
      "west: datadog/datadog: aborted: the spec was edited",
    ],
    [
      "its start was rejected",
      { commands: { start: { id: 3, status: "rejected", message: "an experiment is active" } } },
      "west: datadog/datadog: its start was rejected: an experiment is active",
    ],
    [
      "its promote was refused",
      {
        ...runningSignal(true),
        commands: {
          start: applied(),
          promote: { id: 4, status: "rejected", message: "the candidate is unhealthy" },
        },
      },
      "west: datadog/datadog: its promote was rejected: the candidate is unhealthy",
      // still running: stopped like the others
      ["stop west"],
    ],
    [
      "its controllers stopped reporting",
      { ...runningSignal(false), reporting: false },
      "cluster west stopped reporting (last heartbeat 2026-12-01T12:00:00.000Z)",
    ],
  ])("%s", (_name, sig, cause, alsoStopped = []) => {
    const d = stepFleet(
      fleet("running", { wave: 1 }),
      plan({}, {}),
      [
        input(east, passedSignal(), { state: "passed" }),
        input(west, signal(sig)),
        input(north, runningSignal(false)),
      ],
      s(100),
    );
    expect(d.fleet).toMatchObject({ phase: "halting", haltCause: cause });
    expect(d.events.find((e) => e.kind === "halting")?.text).toBe(`halted: ${cause}`);
    // Every touched cluster is put back at once: the passed one restored to its baseline, the
    // running one stopped; the failed one restores itself.
    expect(d.commands.map((c) => `${c.step} ${c.ref.clusterName} ${c.revision ?? ""}`.trim())).toEqual([
      `restore east ${BASE}`,
      ...alsoStopped,
      "stop north",
    ]);
  });

  it("a passed cluster that stops reporting halts it too", () => {
    const d = stepFleet(
      fleet("running", { wave: 1 }),
      plan({}, {}),
      [
        input(east, passedSignal({ reporting: false }), { state: "passed" }),
        input(west, runningSignal(false)),
      ],
      s(0),
    );
    expect(d.fleet.haltCause).toMatch(/^cluster east stopped reporting/);
    expect(commandsOf(d)).toEqual(["stop west"]);
    expect(stateOf(d, east).state).toBe("unreachable");
  });

  it("a cluster that does not report at its turn halts it before anything starts there", () => {
    const d = stepFleet(
      fleet(),
      plan({}, {}),
      [input(east, signal({ reporting: false })), input(west, signal())],
      s(0),
    );
    expect(d.fleet).toMatchObject({
      phase: "halted",
      haltCause: "cluster east is not reporting at its turn in wave 1",
    });
    expect(commandsOf(d)).toEqual([]);
    expect(stateOf(d, east).state).toBe("not-reached");
    expect(d.settled).toBe(true);
  });
});

describe("halting: every touched cluster put back, each confirmed", () => {
  const halting = fleet("halting", {
    wave: 1,
    haltCause: "west: datadog/datadog: rolled back by its health gate",
  });
  const p = plan({}, {});

  it("confirms a restore only when the current revision is the baseline and no experiment of ours is in progress", () => {
    const restoring = passedSignal({
      commands: { start: applied(), promote: applied(2), restore: applied(3) },
    });
    const cases: [Partial<TargetSignal>, string][] = [
      [{ currentRevision: CAND }, "restoring"],
      [{ currentRevision: BASE, experimentActive: true }, "restoring"],
      [{ currentRevision: BASE }, "restored"],
    ];
    for (const [extra, state] of cases) {
      const d = stepFleet(
        halting,
        p,
        [input(east, { ...restoring, ...extra }, { state: "restoring" })],
        s(0),
      );
      expect(stateOf(d, east).state).toBe(state);
    }
  });

  it("a failed cluster restores itself: confirmed when back at its baseline, its failure kept", () => {
    const failedMemo = {
      state: "failed" as const,
      failure: "rolled back by its health gate: pod crash-looping",
    };
    const gate = ended("rolled back by its health gate: pod crash-looping");
    const before = stepFleet(
      halting,
      p,
      [
        input(
          west,
          signal({ commands: { start: applied() }, experiment: gate, currentRevision: CAND }),
          failedMemo,
        ),
      ],
      s(0),
    );
    expect(stateOf(before, west)).toMatchObject({
      state: "failed",
      detail: `rolled back by its health gate: pod crash-looping; its controller restores ${BASE}`,
    });
    expect(before.commands).toEqual([]);
    const after = stepFleet(
      halting,
      p,
      [input(west, signal({ commands: { start: applied() }, experiment: gate }), failedMemo)],
      s(3),
    );
    expect(stateOf(after, west)).toMatchObject({
      state: "restored",
      restoredAt: s(3),
      failure: failedMemo.failure,
    });
    expect(after.fleet.phase).toBe("halted");
    expect(after.settled).toBe(true);
    expect(after.events.map((e) => e.kind)).toEqual(["restore-confirmed", "halted"]);
    expect(after.events.at(-1)!.text).toBe(
      "halted: west: datadog/datadog: rolled back by its health gate. restored: west: datadog/datadog",
    );
  });

  it("a start still pending gets a stop queued behind it; a start that was then rejected changed nothing", () => {
    const d = stepFleet(halting, p, [input(west, signal({ commands: { start: pending(5) } }))], s(0));
    expect(commandsOf(d)).toEqual(["stop west"]);
    const rejected = stepFleet(
      halting,
      p,
      [
        input(
          west,
          signal({ commands: { start: { id: 5, status: "rejected", message: "no" }, stop: applied(6) } }),
        ),
      ],
      s(1),
    );
    expect(isSettled(stateOf(rejected, west))).toBe(true);
    expect(stateOf(rejected, west).detail).toBe("nothing to restore: its start was rejected");
  });

  it("waits for a promote in flight before restoring, then restores the baseline", () => {
    const inFlight = stepFleet(
      halting,
      p,
      [input(east, runningSignal(true, { commands: { start: applied(), promote: pending(8) } }))],
      s(0),
    );
    expect(commandsOf(inFlight)).toEqual([]);
    expect(stateOf(inFlight, east).detail).toBe("waits for its promote to be applied, then restores");
    const done = stepFleet(halting, p, [input(east, passedSignal())], s(1));
    expect(done.commands).toEqual([{ ref: east, step: "restore", revision: BASE }]);
  });

  it("a running experiment past its timeout is left to its controller, which rolls it back by itself", () => {
    const d = stepFleet(
      halting,
      p,
      [input(west, runningSignal(false, { experiment: running({ deadline: s(100) }) }))],
      s(100),
    );
    expect(commandsOf(d)).toEqual([]);
    expect(stateOf(d, west)).toMatchObject({
      state: "restoring",
      detail: "past its timeout: its controller rolls it back by itself",
    });
  });

  it("an unreachable cluster gets no command; the fleet experiment is halted with it unreachable, not settled", () => {
    const d = stepFleet(
      halting,
      p,
      [
        input(east, passedSignal(), { state: "passed" }),
        input(west, runningSignal(false, { reporting: false })),
      ],
      s(0),
    );
    expect(commandsOf(d)).toEqual(["restore east"]);
    expect(stateOf(d, west)).toMatchObject({
      state: "unreachable",
      detail:
        "its controllers stopped reporting (last heartbeat 2026-12-01T12:00:00.000Z); its own timeout rolls its experiment back",
    });
    const restored = stepFleet(
      d.fleet,
      p,
      [
        input(
          east,
          passedSignal({
            commands: { start: applied(), promote: applied(2), restore: applied(3) },
            currentRevision: BASE,
          }),
          stateOf(d, east),
        ),
        input(west, runningSignal(false, { reporting: false }), stateOf(d, west)),
      ],
      s(2),
    );
    expect(restored.fleet.phase).toBe("halted");
    expect(restored.settled).toBe(false);
    expect(restored.events.at(-1)!.text).toContain(
      "unreachable (its own timeout is its safety net): west: datadog/datadog",
    );
  });

  it.each([
    {
      name: "back after its timeout: its controller times it out, no command",
      deadline: s(60),
      now: s(90),
      commands: [],
    },
    { name: "back before its timeout: stopped", deadline: s(600), now: s(90), commands: ["stop west"] },
  ])("an unreachable cluster $name", ({ deadline, now, commands }) => {
    const d = stepFleet(
      fleet("halted", { haltCause: "cluster west stopped reporting" }),
      p,
      [input(west, runningSignal(false, { experiment: running({ deadline }) }), { state: "unreachable" })],
      now,
    );
    expect(commandsOf(d)).toEqual(commands);
    expect(d.settled).toBe(false);
  });

  it("a timed-out experiment back at its baseline is confirmed, and the halted fleet experiment settles", () => {
    const d = stepFleet(
      fleet("halted", { haltCause: "cluster west stopped reporting" }),
      p,
      [
        input(west, signal({ commands: { start: applied() }, experiment: ended("timed out after 60 s") }), {
          state: "unreachable",
        }),
      ],
      s(100),
    );
    expect(stateOf(d, west).state).toBe("restored");
    expect(d.settled).toBe(true);
  });

  it("a restore its controller rejects is shown as such and settles", () => {
    const d = stepFleet(
      halting,
      p,
      [
        input(
          east,
          passedSignal({
            commands: {
              start: applied(),
              promote: applied(2),
              restore: { id: 3, status: "rejected", message: "revision gone" },
            },
          }),
        ),
      ],
      s(0),
    );
    expect(stateOf(d, east)).toMatchObject({
      state: "restore-failed",
      detail: "its restore was rejected: revision gone",
    });
    expect(d.settled).toBe(true);
  });

  it("an experiment aborted by an outside edit keeps the edit: nothing to restore", () => {
    const d = stepFleet(
      halting,
      p,
      [
        input(
          west,
          signal({
            commands: { start: applied() },
            experiment: ended("aborted: edited", { abortedByEdit: true }),
            currentRevision: "datadog-cccccccccc",
          }),
        ),
      ],
      s(0),
    );
    expect(d.commands).toEqual([]);
    expect(isSettled(stateOf(d, west))).toBe(true);
  });

  it("clusters never started are not reached", () => {
    const d = stepFleet(halting, p, [input(east, signal())], s(0));
    expect(stateOf(d, east).state).toBe("not-reached");
    expect(d.settled).toBe(true);
  });
});

it("revisionHash reads the hash of `<agent>-<hash>`", () => {
  expect(revisionHash("datadog-agent-0123456789")).toBe("0123456789");
  expect(revisionHash(null)).toBeNull();
});
