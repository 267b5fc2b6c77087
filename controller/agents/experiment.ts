// The experiment lifecycle of datadog-operator PR #2760 as pure functions: given the status the
// cluster holds, the revision of the current spec and the time, what the next status is and
// what must be done. No I/O here, so every rule is tested with a fake clock, and a restarted
// controller recovers from the status alone.
import {
  DEFAULT_HEALTH_GATE,
  type AgentStatus,
  type ExperimentPhase,
  type ExperimentStatus,
  type HealthGateSettings,
} from "../../lib/agents";
import { evaluateGate, type GatePod, type GateVerdict } from "./health-gate";

export interface Observation {
  /** ControllerRevision name of the current defaulted spec. */
  revision: string;
  /** Its hash. */
  hash: string;
  now: Date;
  /** Used when status.experiment.timeoutSeconds is absent (upstream: 30 minutes). */
  defaultTimeoutSeconds: number;
  /** The pods of this revision (the candidate's while an experiment runs), for the health gate. */
  pods?: GatePod[];
  /** Used when status.experiment.healthGate is absent. */
  defaultHealthGate?: HealthGateSettings;
}

export type Transition =
  | { type: "revision-changed"; from?: string; to: string }
  | { type: "clock-started"; id?: string; startedAt: string }
  | { type: "candidate-landed"; id?: string }
  | { type: "aborted"; id?: string; reason: string }
  | { type: "restore-requested"; id?: string; phase: "rollback" | "timeout"; baseline: string }
  | { type: "unhealthy"; id?: string; verdict: GateVerdict }
  | { type: "cleared"; id?: string; phase: ExperimentPhase };

export interface LifecycleStep {
  /** The status to persist (after the restore, when there is one). */
  status: AgentStatus;
  /** Write this revision's spec before persisting the status, then reconcile again at once. */
  restore?: { revision: string; phase: "rollback" | "timeout"; id?: string };
  /** The spec's revision differs from status.currentRevision (it changed since last time). */
  specChanged: boolean;
  transitions: Transition[];
  /** Reconcile again after this long: at once after a restore, at the timeout while running. */
  requeueAfterMs?: number;
}

/** metav1.Time precision: RFC 3339 in whole seconds, as the Go operator writes it. */
export function toMetaTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function timeoutSecondsOf(exp: ExperimentStatus, defaultTimeoutSeconds: number): number {
  return exp.timeoutSeconds ?? defaultTimeoutSeconds;
}

/** Upstream CheckTimeout: true once now − startedAt ≥ timeout; never before the clock starts. */
export function checkTimeout(exp: ExperimentStatus | undefined, now: Date, timeoutSeconds: number): boolean {
  if (!exp?.startedAt) return false;
  return now.getTime() - new Date(exp.startedAt).getTime() >= timeoutSeconds * 1000;
}

/** The experiment's health gate: its own settings, or the controller's defaults. */
export function healthGateOf(exp: ExperimentStatus, defaults = DEFAULT_HEALTH_GATE): HealthGateSettings {
  return exp.healthGate ?? defaults;
}

/** Upstream CheckConflict: the spec no longer matches status.currentRevision. */
export function checkConflict(status: AgentStatus, revision: string): boolean {
  return !!status.currentRevision && status.currentRevision !== revision;
}

/** The reconciler's steps, in upstream's order, on the defaulted spec. */
export function stepLifecycle(current: AgentStatus, obs: Observation): LifecycleStep {
  const status: AgentStatus = structuredClone(current);
  const transitions: Transition[] = [];

  // 1. Terminal phases. rollback/timeout with a baseline: restore it, keep {phase, id} visible
  //    for one reconcile; without a baseline (restore done): clear. promoted: clear. aborted:
  //    left as is until the next start.
  const terminal = status.experiment;
  if (terminal?.phase === "rollback" || terminal?.phase === "timeout") {
    if (terminal.baselineRevision) return restoreStep(status, terminal, terminal.phase, false, transitions);
    transitions.push({ type: "cleared", id: terminal.id, phase: terminal.phase });
    delete status.experiment;
  } else if (terminal?.phase === "promoted") {
    transitions.push({ type: "cleared", id: terminal.id, phase: "promoted" });
    delete status.experiment;
  }

  // 2. Snapshot + revision pointers.
  const previousCurrent = status.currentRevision;
  let specChanged = false;
  if (status.currentRevision !== obs.revision) {
    if (status.currentRevision) {
      status.previousRevision = status.currentRevision;
      specChanged = true;
    }
    status.currentRevision = obs.revision;
    transitions.push({ type: "revision-changed", from: previousCurrent, to: obs.revision });
  }

  // 3. Running: start the clock, time out, detect conflicts.
  const exp = status.experiment;
  let requeueAfterMs: number | undefined;
  if (exp?.phase === "running") {
    if (!exp.startedAt) {
      exp.startedAt = toMetaTime(obs.now);
      transitions.push({ type: "clock-started", id: exp.id, startedAt: exp.startedAt });
    }
    const timeoutSeconds = timeoutSecondsOf(exp, obs.defaultTimeoutSeconds);
    if (checkTimeout(exp, obs.now, timeoutSeconds)) {
      return restoreStep(status, exp, "timeout", specChanged, transitions);
    }
    if (specChanged && previousCurrent) {
      if (exp.expectedSpecHash && exp.expectedSpecHash === obs.hash) {
        // The experiment's own spec write has landed.
        delete exp.expectedSpecHash;
        transitions.push({ type: "candidate-landed", id: exp.id });
      } else {
        const reason = exp.expectedSpecHash
          ? `the spec does not match the experiment's config (expected hash ${exp.expectedSpecHash}, found ${obs.hash}): it was edited before the experiment's change landed`
          : `the spec was edited during the experiment (revision ${previousCurrent} → ${obs.revision})`;
        exp.phase = "aborted";
        delete exp.startedAt;
        transitions.push({ type: "aborted", id: exp.id, reason });
      }
    }
    // Spec unchanged: expectedSpecHash is kept, since the status write may land before the spec.
    if (exp.phase === "running" && exp.startedAt) {
      const deadline = new Date(exp.startedAt).getTime() + timeoutSeconds * 1000;
      requeueAfterMs = Math.max(0, deadline - obs.now.getTime());
      // 4. The health gate (fleetdeck): once the candidate has landed, its pods are judged.
      const gate = healthGateOf(exp, obs.defaultHealthGate);
      if (gate.enabled && !exp.expectedSpecHash) {
        const verdict = evaluateGate(obs.pods ?? [], gate, obs.now);
        if (verdict.state === "unhealthy") {
          // Decided in the status first, as a stop is: the restore follows on the next
          // reconcile, and a controller restarted in between carries it out.
          exp.phase = "rollback";
          exp.reason = "unhealthy";
          transitions.push({ type: "unhealthy", id: exp.id, verdict });
          return { status, specChanged, transitions, requeueAfterMs: 0 };
        }
        if (verdict.tripsAt) {
          requeueAfterMs = Math.min(
            requeueAfterMs,
            Math.max(0, verdict.tripsAt.getTime() - obs.now.getTime()),
          );
        }
      }
    }
  }
  return { status, specChanged, transitions, requeueAfterMs };
}

function restoreStep(
  status: AgentStatus,
  exp: ExperimentStatus,
  phase: "rollback" | "timeout",
  specChanged: boolean,
  transitions: Transition[],
): LifecycleStep {
  const baseline = exp.baselineRevision!;
  transitions.push({ type: "restore-requested", id: exp.id, phase, baseline });
  // Upstream persists {phase, id}: no baseline (the restore is done), no startedAt; fleetdeck
  // keeps why it rolled back by itself.
  status.experiment = {
    phase,
    ...(exp.id !== undefined ? { id: exp.id } : {}),
    ...(exp.reason !== undefined ? { reason: exp.reason } : {}),
  };
  return {
    status,
    restore: { revision: baseline, phase, id: exp.id },
    specChanged,
    transitions,
    requeueAfterMs: 0,
  };
}

// ---- Status after an accepted command (the guards are in lib/experiments.ts) ----

/** Status after an accepted start: running, baseline = current revision, clock not started. */
export function startedStatus(
  status: AgentStatus,
  start: { id: string; expectedSpecHash: string; timeoutSeconds?: number; healthGate?: HealthGateSettings },
): AgentStatus {
  // A retry of this same start (its spec write met a 409) keeps the clock and baseline a
  // reconcile may have set meanwhile: clearing them would make that reconcile write them again,
  // and the two would conflict until the start gave up.
  const retried = status.experiment?.phase === "running" && status.experiment.id === start.id;
  return {
    ...status,
    experiment: {
      ...(retried ? status.experiment : {}),
      phase: "running",
      baselineRevision: retried ? status.experiment!.baselineRevision : status.currentRevision,
      id: start.id,
      expectedSpecHash: start.expectedSpecHash,
      ...(start.timeoutSeconds !== undefined ? { timeoutSeconds: start.timeoutSeconds } : {}),
      ...(start.healthGate !== undefined ? { healthGate: start.healthGate } : {}),
    },
  };
}

/** Status after an accepted stop: rollback, baseline kept for the restore. */
export function stoppedStatus(status: AgentStatus): AgentStatus {
  return { ...status, experiment: { ...status.experiment, phase: "rollback" } };
}

/** Status after an accepted promote: promoted, baseline released. */
export function promotedStatus(status: AgentStatus): AgentStatus {
  const { baselineRevision: _released, ...rest } = status.experiment ?? {};
  return { ...status, experiment: { ...rest, phase: "promoted" } };
}
