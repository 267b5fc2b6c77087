// The rules of a fleet experiment as one pure step (docs/fleet-experiments.md): given what the
// driver remembers (the fleet experiment's phase, each DatadogAgent's state) and what the store
// says now about each cluster (its controllers report or not, the commands sent there and their
// outcome, its experiment, its candidate's health), what the fleet experiment becomes, which
// commands to send and which decisions to record. No I/O and no clock of its own, so every rule
// is tested with a fake clock, and a driver that took over from another decides from the store
// alone.
import type { CommandStatus } from "../lib/commands";
import type { FleetPhase, FleetStepName, PlannedWave, TargetState } from "../lib/fleet-experiments";

/** One DatadogAgent of one cluster in the plan. */
export interface TargetRef {
  wave: number;
  clusterId: string;
  clusterName: string;
  agentKey: string;
}

/** What the driver remembers of a target between steps (the FleetTarget row). */
export interface TargetMemo {
  state: TargetState;
  /** One line: what it waits for, or what went wrong. */
  detail: string;
  /** Since when its candidate has been rolled out and healthy (for the bake); null when not. */
  healthySince: number | null;
  /** Why it failed (the health gate's reason, a timeout, a refused command), kept once restored. */
  failure: string | null;
  baselineRevision: string | null;
  candidateRevision: string | null;
  /** When it was confirmed back at its baseline (or found never changed); null until then. */
  restoredAt: number | null;
}

export const NEW_TARGET: TargetMemo = {
  state: "waiting",
  detail: "waits for its wave",
  healthySince: null,
  failure: null,
  baselineRevision: null,
  candidateRevision: null,
  restoredAt: null,
};

export interface CommandSignal {
  id: number;
  status: CommandStatus;
  message: string | null;
}

/**
 * The experiment of this fleet experiment in that cluster, as its controller last recorded it
 * (signals.ts maps the per-cluster experiment's phases to these three).
 */
export interface ExperimentSignal {
  status: "running" | "promoted" | "ended";
  /** How it ended by itself, in words ("rolled back by its health gate: …"); null while running. */
  ending: string | null;
  /** It ended through an outside edit of the DatadogAgent (the edit stays: nothing to restore). */
  abortedByEdit: boolean;
  /** It ended because this fleet experiment stopped it. */
  stoppedByUs: boolean;
  baselineRevision: string;
  candidateRevision: string;
  /** When its controller rolls it back by itself (its timeout), or null before its clock starts. */
  deadline: number | null;
}

export type CandidateSignal =
  { state: "ready"; summary: string } | { state: "progressing" | "unhealthy" | "unknown"; summary: string };

/** What the store says now about a target (signals.ts builds it from the rows). */
export interface TargetSignal {
  /** Its cluster's controllers report (a heartbeat younger than 15 s). */
  reporting: boolean;
  lastHeartbeatAt: string | null;
  commands: Partial<Record<FleetStepName, CommandSignal>>;
  experiment: ExperimentSignal | null;
  candidate: CandidateSignal;
  /** The DatadogAgent's current revision, as its controller last reconciled it. */
  currentRevision: string | null;
  /** Its status still holds this experiment in progress (running, or a rollback not restored yet). */
  experimentActive: boolean;
}

export interface FleetMemo {
  phase: FleetPhase;
  /** The wave under way (or waiting for approval). */
  wave: number;
  /** The highest wave a person approved (the start approves wave 0). */
  approvedWave: number;
  /** A wave whose remaining bake a person cut short (advance), or null. */
  advancedWave: number | null;
  haltCause: string | null;
}

export interface TargetInput {
  ref: TargetRef;
  memo: TargetMemo;
  signal: TargetSignal;
}

export interface CommandRequest {
  ref: TargetRef;
  step: FleetStepName;
  /** restore: the revision to restore. */
  revision?: string;
}

export type FleetEventKind =
  | "wave-started"
  | "cluster-started"
  | "cluster-passed"
  | "wave-passed"
  | "waiting-approval"
  | "cluster-failed"
  | "halting"
  | "restore-requested"
  | "restore-confirmed"
  | "restore-failed"
  | "halted"
  | "promoted";

export interface FleetEvent {
  kind: FleetEventKind;
  /** The cluster and DatadogAgent it is about, when one. */
  ref?: TargetRef;
  wave?: number;
  /** One sentence for the audit trail and the notification. */
  text: string;
}

export interface FleetDecision {
  fleet: FleetMemo;
  targets: Map<string, TargetMemo>;
  commands: CommandRequest[];
  events: FleetEvent[];
  /** Nothing is left to do: promoted, or halted with every touched target settled. */
  settled: boolean;
}

export const targetKey = (ref: Pick<TargetRef, "clusterId" | "agentKey">) =>
  `${ref.clusterId} ${ref.agentKey}`;

const where = (ref: TargetRef) => `${ref.clusterName}: ${ref.agentKey}`;
const final = (c: CommandSignal | undefined) =>
  !!c && (c.status === "applied" || c.status === "rejected" || c.status === "ignored");
const refused = (c: CommandSignal | undefined) => !!c && (c.status === "rejected" || c.status === "ignored");
const inFlight = (c: CommandSignal | undefined) => !!c && !final(c);

/** A target whose restore needs nothing more: confirmed, found unchanged, or refused by its controller. */
export function isSettled(memo: TargetMemo): boolean {
  return memo.restoredAt !== null || memo.state === "restore-failed";
}

/** The revision hash of `<agent>-<hash>` names: equal hashes are the same spec. */
export function revisionHash(revision: string | null | undefined): string | null {
  if (!revision) return null;
  const match = /-([0-9a-f]{10})$/.exec(revision);
  return match ? match[1]! : revision;
}

/**
 * One step of a fleet experiment at `now` (ms). `plan` is the confirmed plan's waves; `targets`
 * every DatadogAgent of it, in plan order.
 */
export function stepFleet(
  memo: FleetMemo,
  plan: Pick<PlannedWave, "bakeSeconds" | "maxConcurrent" | "approval">[],
  targets: TargetInput[],
  now: number,
): FleetDecision {
  const fleet: FleetMemo = { ...memo };
  const next = new Map(targets.map((t) => [targetKey(t.ref), { ...t.memo }]));
  const commands: CommandRequest[] = [];
  const events: FleetEvent[] = [];
  const ctx: StepContext = { fleet, plan, next, commands, events, now };

  if (fleet.phase === "running" || fleet.phase === "waiting-approval" || fleet.phase === "paused") {
    const trouble = advance(ctx, targets);
    if (trouble) {
      fleet.phase = "halting";
      fleet.haltCause = trouble;
      events.push({ kind: "halting", text: `halted: ${trouble}` });
    }
  }
  if (fleet.phase === "halting" || fleet.phase === "halted") {
    for (const t of targets) restoreTarget(ctx, t);
    const touched = targets.filter((t) => t.signal.commands.start);
    const open = touched.filter((t) => !isSettled(next.get(targetKey(t.ref))!));
    if (fleet.phase === "halting" && open.every((t) => next.get(targetKey(t.ref))!.state === "unreachable")) {
      fleet.phase = "halted";
      events.push({ kind: "halted", text: haltSummary(fleet.haltCause, touched, next) });
    }
    return { fleet, targets: next, commands, events, settled: fleet.phase === "halted" && open.length === 0 };
  }
  return { fleet, targets: next, commands, events, settled: fleet.phase === "promoted" };
}

interface StepContext {
  fleet: FleetMemo;
  plan: Pick<PlannedWave, "bakeSeconds" | "maxConcurrent" | "approval">[];
  next: Map<string, TargetMemo>;
  commands: CommandRequest[];
  events: FleetEvent[];
  now: number;
}

function set(ctx: StepContext, ref: TargetRef, change: Partial<TargetMemo>): TargetMemo {
  const memo = { ...ctx.next.get(targetKey(ref))!, ...change };
  ctx.next.set(targetKey(ref), memo);
  return memo;
}

/**
 * Running, waiting for approval or paused: follow each started target, fail on the first sign
 * of trouble (returned as the halt's cause), move from wave to wave, start what may start.
 */
function advance(ctx: StepContext, targets: TargetInput[]): string | null {
  const { fleet, plan } = ctx;
  const causes: string[] = [];
  for (const t of targets) {
    const cause = followTarget(ctx, t);
    if (cause) causes.push(cause);
  }
  if (causes.length > 0) return causes[0]!;

  // A wave whose every target passed hands over to the next, or ends the fleet experiment.
  for (;;) {
    const wave = targets.filter((t) => t.ref.wave === fleet.wave);
    if (!wave.every((t) => ctx.next.get(targetKey(t.ref))!.state === "passed")) break;
    ctx.events.push({
      kind: "wave-passed",
      wave: fleet.wave,
      text: `wave ${fleet.wave + 1} passed: ${clusterList(wave)}`,
    });
    if (fleet.wave + 1 >= plan.length) {
      fleet.phase = "promoted";
      ctx.events.push({ kind: "promoted", text: `promoted everywhere: ${clusterList(targets)}` });
      return null;
    }
    fleet.wave += 1;
  }

  // A manual wave waits for a person before its first cluster starts (the start approved wave 1).
  const wave = targets.filter((t) => t.ref.wave === fleet.wave);
  const begun = wave.some((t) => t.signal.commands.start);
  const needsApproval = plan[fleet.wave]!.approval === "manual" && fleet.approvedWave < fleet.wave && !begun;
  if (fleet.phase !== "paused") {
    if (needsApproval && fleet.phase !== "waiting-approval") {
      fleet.phase = "waiting-approval";
      ctx.events.push({
        kind: "waiting-approval",
        wave: fleet.wave,
        text: `wave ${fleet.wave + 1} waits for approval: ${clusterList(wave)}`,
      });
    } else if (!needsApproval && fleet.phase === "waiting-approval") {
      fleet.phase = "running";
    }
  }
  if (fleet.phase !== "running") return null;

  // Start clusters of the wave while fewer than maxConcurrent of them are changing.
  const clusters = [...new Set(wave.map((t) => t.ref.clusterId))];
  const of = (clusterId: string) => wave.filter((t) => t.ref.clusterId === clusterId);
  const started = (clusterId: string) => of(clusterId).some((t) => t.signal.commands.start);
  const changing = clusters.filter(
    (c) => started(c) && of(c).some((t) => ctx.next.get(targetKey(t.ref))!.state !== "passed"),
  ).length;
  let free = plan[fleet.wave]!.maxConcurrent - changing;
  for (const clusterId of clusters) {
    if (free <= 0) break;
    if (started(clusterId)) continue;
    const cluster = of(clusterId);
    if (!cluster[0]!.signal.reporting) {
      return `cluster ${cluster[0]!.ref.clusterName} is not reporting at its turn in wave ${fleet.wave + 1}`;
    }
    if (!begun && free === plan[fleet.wave]!.maxConcurrent) {
      ctx.events.push({ kind: "wave-started", wave: fleet.wave, text: `wave ${fleet.wave + 1} started` });
    }
    for (const t of cluster) {
      ctx.commands.push({ ref: t.ref, step: "start" });
      set(ctx, t.ref, { state: "running", detail: "start requested" });
      ctx.events.push({
        kind: "cluster-started",
        ref: t.ref,
        wave: fleet.wave,
        text: `${where(t.ref)}: experiment started`,
      });
    }
    free -= 1;
  }
  return null;
}

/** A started target's state now; returns the cause when it is in trouble. */
function followTarget(ctx: StepContext, t: TargetInput): string | null {
  const { ref, signal } = t;
  const { start, promote } = signal.commands;
  const memo = ctx.next.get(targetKey(ref))!;
  if (!start) return null;
  const fail = (failure: string) => {
    set(ctx, ref, { state: "failed", failure, detail: failure, healthySince: null });
    ctx.events.push({ kind: "cluster-failed", ref, wave: ref.wave, text: `${where(ref)}: ${failure}` });
    return `${where(ref)}: ${failure}`;
  };
  const exp = signal.experiment;
  if (exp)
    set(ctx, ref, { baselineRevision: exp.baselineRevision, candidateRevision: exp.candidateRevision });
  // A target that passed is done; it can still lose its cluster.
  if (memo.state === "passed" && exp?.status === "promoted") {
    return signal.reporting ? null : `cluster ${ref.clusterName} stopped reporting (${heartbeat(signal)})`;
  }
  if (!signal.reporting) {
    set(ctx, ref, {
      state: "unreachable",
      detail: `its controllers stopped reporting (${heartbeat(signal)})`,
    });
    return `cluster ${ref.clusterName} stopped reporting (${heartbeat(signal)})`;
  }
  if (inFlight(start)) {
    set(ctx, ref, { state: "running", detail: `start requested (command #${start.id} ${start.status})` });
    return null;
  }
  if (refused(start)) return fail(`its start was ${start.status}: ${start.message ?? "no reason given"}`);
  if (!exp) {
    set(ctx, ref, {
      state: "running",
      detail: "started; waiting for its controller to record the experiment",
    });
    return null;
  }
  if (exp.status === "promoted") {
    set(ctx, ref, { state: "passed", detail: "promoted", healthySince: memo.healthySince });
    ctx.events.push({
      kind: "cluster-passed",
      ref,
      wave: ref.wave,
      text: `${where(ref)}: passed, candidate ${exp.candidateRevision} promoted`,
    });
    return null;
  }
  if (exp.status === "ended") return fail(exp.ending ?? "its experiment ended by itself");
  // Running.
  if (promote) {
    if (inFlight(promote)) {
      set(ctx, ref, {
        state: "baking",
        detail: `promote requested (command #${promote.id} ${promote.status})`,
      });
      return null;
    }
    if (refused(promote))
      return fail(`its promote was ${promote.status}: ${promote.message ?? "no reason given"}`);
    set(ctx, ref, { state: "baking", detail: "promoted; waiting for its controller to record it" });
    return null;
  }
  if (signal.candidate.state !== "ready") {
    set(ctx, ref, { state: "running", detail: signal.candidate.summary, healthySince: null });
    return null;
  }
  const healthySince = memo.healthySince ?? ctx.now;
  const bakeMs = ctx.plan[ref.wave]!.bakeSeconds * 1000;
  const baked = ctx.now - healthySince >= bakeMs || ctx.fleet.advancedWave === ref.wave;
  if (baked && ctx.fleet.phase !== "paused") {
    ctx.commands.push({ ref, step: "promote" });
    set(ctx, ref, { state: "baking", detail: "baked: promote requested", healthySince });
  } else {
    // A fixed line (not a countdown), so a baking target is not written again every step.
    set(ctx, ref, {
      state: "baking",
      detail: baked
        ? "baked; promoted once the fleet experiment resumes"
        : `healthy; baking until ${new Date(healthySince + bakeMs).toISOString()}`,
      healthySince,
    });
  }
  return null;
}

/** Halting: put a touched target back to its baseline, and confirm it. */
function restoreTarget(ctx: StepContext, t: TargetInput): void {
  const { ref, signal } = t;
  const { start, promote, stop, restore } = signal.commands;
  const memo = ctx.next.get(targetKey(ref))!;
  if (isSettled(memo)) return;
  if (!start) {
    set(ctx, ref, {
      state: "not-reached",
      detail: "not started: the fleet experiment halted before its turn",
    });
    return;
  }
  const exp = signal.experiment;
  if (exp)
    set(ctx, ref, { baselineRevision: exp.baselineRevision, candidateRevision: exp.candidateRevision });
  const unreachable = (detail: string) =>
    set(ctx, ref, {
      state: "unreachable",
      detail: `its controllers stopped reporting (${heartbeat(signal)}); ${detail}`,
    });
  const confirmed = (detail: string) => {
    set(ctx, ref, { state: "restored", detail, restoredAt: ctx.now });
    ctx.events.push({ kind: "restore-confirmed", ref, wave: ref.wave, text: `${where(ref)}: ${detail}` });
  };
  const restoreFailed = (detail: string) => {
    set(ctx, ref, { state: "restore-failed", detail });
    ctx.events.push({ kind: "restore-failed", ref, wave: ref.wave, text: `${where(ref)}: ${detail}` });
  };
  const request = (step: "stop" | "restore", detail: string, revision?: string) => {
    ctx.commands.push({ ref, step, ...(revision ? { revision } : {}) });
    set(ctx, ref, { state: "restoring", detail });
    ctx.events.push({ kind: "restore-requested", ref, wave: ref.wave, text: `${where(ref)}: ${detail}` });
  };

  if (refused(start) && !exp) {
    // Never changed: nothing to put back.
    set(ctx, ref, { restoredAt: ctx.now, detail: `nothing to restore: its start was ${start.status}` });
    return;
  }
  if (!exp) {
    // The start is not applied yet (or its experiment not recorded): a stop queued behind it
    // in its cluster's command order ends it as soon as it begins.
    if (!signal.reporting) return void unreachable("its own timeout rolls its experiment back");
    if (!stop) request("stop", "stop requested behind its pending start");
    else set(ctx, ref, { state: "restoring", detail: `stop requested (command #${stop.id} ${stop.status})` });
    return;
  }
  const baselineHash = revisionHash(exp.baselineRevision);
  // Confirmed: the current revision's hash is the baseline's, and the status holds no
  // experiment of ours in progress (before its candidate lands, the baseline is current too).
  const atBaseline = revisionHash(signal.currentRevision) === baselineHash && !signal.experimentActive;

  if (exp.status === "running") {
    if (inFlight(promote)) {
      set(ctx, ref, { state: "restoring", detail: "waits for its promote to be applied, then restores" });
      return;
    }
    if (stop && refused(stop) && stop.status === "rejected")
      return void restoreFailed(`its stop was rejected: ${stop.message ?? ""}`);
    if (stop) {
      set(ctx, ref, {
        state: "restoring",
        detail: `stop ${stop.status}; its controller restores ${exp.baselineRevision}`,
      });
      return;
    }
    if (!signal.reporting) return void unreachable("its own timeout rolls its experiment back");
    if (exp.deadline !== null && exp.deadline <= ctx.now) {
      set(ctx, ref, {
        state: "restoring",
        detail: "past its timeout: its controller rolls it back by itself",
      });
      return;
    }
    request("stop", `stop requested: its controller restores ${exp.baselineRevision}`);
    return;
  }
  if (exp.status === "ended") {
    if (exp.abortedByEdit) {
      set(ctx, ref, {
        state: "failed",
        restoredAt: ctx.now,
        detail: `${exp.ending ?? "aborted by an outside edit"}; the edit stays, the fleet experiment restores nothing here`,
      });
      return;
    }
    if (atBaseline)
      return void confirmed(`restored: current revision ${signal.currentRevision} is the baseline again`);
    if (!signal.reporting)
      return void unreachable("its controller restores the baseline once it reports again");
    set(ctx, ref, {
      state: memo.state === "failed" ? "failed" : "restoring",
      detail: `${memo.failure ? `${memo.failure}; ` : ""}its controller restores ${exp.baselineRevision}`,
    });
    return;
  }
  // Promoted (it passed, or its promote landed during the halt): restore its baseline revision.
  if (restore) {
    if (restore.status === "rejected")
      return void restoreFailed(`its restore was rejected: ${restore.message ?? ""}`);
    if (final(restore) && atBaseline)
      return void confirmed(`restored: current revision ${signal.currentRevision} is the baseline again`);
    if (!signal.reporting) return void unreachable("restored once it reports again");
    set(ctx, ref, { state: "restoring", detail: `restore of ${exp.baselineRevision} ${restore.status}` });
    return;
  }
  if (!signal.reporting) return void unreachable("restored once it reports again");
  request("restore", `restore of baseline ${exp.baselineRevision} requested`, exp.baselineRevision);
}

function heartbeat(signal: TargetSignal): string {
  return signal.lastHeartbeatAt ? `last heartbeat ${signal.lastHeartbeatAt}` : "no heartbeat";
}

function clusterList(targets: TargetInput[]): string {
  return [...new Set(targets.map((t) => t.ref.clusterName))].join(", ");
}

/** "halted: <cause>. restored: a, b; unreachable: c (…)". */
function haltSummary(cause: string | null, touched: TargetInput[], next: Map<string, TargetMemo>): string {
  const groups = new Map<string, string[]>();
  for (const t of touched) {
    const memo = next.get(targetKey(t.ref))!;
    const word =
      memo.state === "unreachable"
        ? "unreachable (its own timeout is its safety net)"
        : memo.restoredAt !== null
          ? "restored"
          : memo.state;
    groups.set(word, [...(groups.get(word) ?? []), where(t.ref)]);
  }
  const result = [...groups].map(([word, list]) => `${word}: ${list.join(", ")}`).join("; ");
  return `halted: ${cause ?? "no cause recorded"}. ${result || "no cluster was changed"}`;
}
