// The experiment lifecycle as pure functions, in the datadog-operator's phases (running,
// terminated with a terminationReason, promoted, aborted): given what fleetdeck knows of an
// agent (revision pointers and the experiment, docs/experiments.md "Where the state lives"),
// the revision of its current spec and the time, what the next state is and what must be done.
// No I/O here, so every rule is tested with a fake clock, and a restarted controller resumes
// from the status and its store alone.
import {
  DEFAULT_HEALTH_GATE,
  END_REASONS,
  restoresBaseline,
  type AgentStatus,
  type EndReason,
  type ExperimentStatus,
  type HealthGateSettings,
} from "../../lib/agents";
import { metaTime } from "../../lib/conditions";
import { evaluateGate, type GatePod, type GateVerdict } from "./health-gate";

export interface Observation {
  /** ControllerRevision name of the current defaulted spec. */
  revision: string;
  /** Its hash. */
  hash: string;
  now: Date;
  /** Used when the experiment has no timeout of its own. */
  defaultTimeoutSeconds: number;
  /** The pods of this revision (the candidate's while an experiment runs), for the health gate. */
  pods?: GatePod[];
  /** Used when the experiment has no health gate settings of its own. */
  defaultHealthGate?: HealthGateSettings;
}

/** status.experiment as the operator's API has it: what fleetdeck writes to the cluster. */
export type ClusterExperiment = Pick<
  ExperimentStatus,
  "phase" | "id" | "startedAt" | "startTaskID" | "terminationReason"
>;

export type Transition =
  | { type: "revision-changed"; from?: string; to: string }
  | { type: "candidate-landed"; id?: string }
  /** fleetdeck decided now to end the experiment (recorded in its store before the cluster is written). */
  | { type: "end-decided"; id?: string; end: EndReason; detail: string; verdict?: GateVerdict }
  /** The decided end is carried out: the status shows it (after the baseline's restore). */
  | { type: "ended"; id?: string; end: EndReason; baseline?: string };

export interface LifecycleStep {
  /** fleetdeck's state after this reconcile. */
  status: AgentStatus;
  /** Write this revision's spec (an experiment's baseline) before the status. */
  restore?: { revision: string; end: EndReason; id?: string };
  /** The spec's revision differs from the current one fleetdeck knew (it changed since last time). */
  specChanged: boolean;
  transitions: Transition[];
  /** Reconcile again after this long: at the timeout or the health gate's trip time while running. */
  requeueAfterMs?: number;
}

export const toMetaTime = metaTime;

export function timeoutSecondsOf(exp: ExperimentStatus, defaultTimeoutSeconds: number): number {
  return exp.timeoutSeconds ?? defaultTimeoutSeconds;
}

/** Upstream's timeout check: true once now − startedAt ≥ timeout; never without startedAt. */
export function checkTimeout(exp: ExperimentStatus | undefined, now: Date, timeoutSeconds: number): boolean {
  if (!exp?.startedAt) return false;
  return now.getTime() - new Date(exp.startedAt).getTime() >= timeoutSeconds * 1000;
}

/** The experiment's health gate: its own settings, or the controller's defaults. */
export function healthGateOf(exp: ExperimentStatus, defaults = DEFAULT_HEALTH_GATE): HealthGateSettings {
  return exp.healthGate ?? defaults;
}

/** The operator's status.experiment fields of fleetdeck's view (what the cluster keeps). */
export function clusterExperiment(exp: ExperimentStatus | undefined): ClusterExperiment | undefined {
  if (!exp) return undefined;
  const { phase, id, startedAt, startTaskID, terminationReason } = exp;
  return Object.fromEntries(
    Object.entries({ phase, id, startedAt, startTaskID, terminationReason }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as ClusterExperiment;
}

/** An experiment in the phase its end maps to, as upstream keeps it (id, startedAt and task id stay). */
export function endedExperiment(exp: ExperimentStatus, end: EndReason): ExperimentStatus {
  const { terminationReason: _old, ending: _ending, expectedSpecHash: _hash, ...rest } = exp;
  const mapped: { phase: ExperimentStatus["phase"]; terminationReason?: string } = END_REASONS[end];
  return {
    ...rest,
    phase: mapped.phase,
    ...(mapped.terminationReason ? { terminationReason: mapped.terminationReason } : {}),
  };
}

/** One reconcile's lifecycle step, on the defaulted spec's revision. */
export function stepLifecycle(current: AgentStatus, obs: Observation): LifecycleStep {
  const status: AgentStatus = structuredClone(current);
  const transitions: Transition[] = [];

  // 1. Revision pointers: previous ← current when the spec's revision changed.
  const before = status.currentRevision;
  let specChanged = false;
  if (before !== obs.revision) {
    if (before) {
      status.previousRevision = before;
      specChanged = true;
    }
    status.currentRevision = obs.revision;
    transitions.push({ type: "revision-changed", from: before, to: obs.revision });
  }

  // 2. Only a running experiment moves on by itself; ended ones stay as they are until the next start.
  const exp = status.experiment;
  if (exp?.phase !== "running") return { status, specChanged, transitions };

  // An end decided earlier (a stop, or a decision a restart interrupted) is carried out first.
  if (exp.ending) return endStep(status, exp, exp.ending, obs, specChanged, transitions);

  const timeoutSeconds = timeoutSecondsOf(exp, obs.defaultTimeoutSeconds);
  if (checkTimeout(exp, obs.now, timeoutSeconds)) {
    const detail = `timed out after ${timeoutSeconds} s without a promote`;
    transitions.push({ type: "end-decided", id: exp.id, end: "timed_out", detail });
    return endStep(status, exp, "timed_out", obs, specChanged, transitions);
  }

  // 3. Conflicts: the only spec change a running experiment expects is its own candidate landing.
  if (specChanged) {
    if (exp.expectedSpecHash && exp.expectedSpecHash === obs.hash) {
      delete exp.expectedSpecHash;
      transitions.push({ type: "candidate-landed", id: exp.id });
    } else {
      const detail = exp.expectedSpecHash
        ? `the spec does not match the experiment's config (expected hash ${exp.expectedSpecHash}, found ${obs.hash}): it was edited before the experiment's change landed`
        : `the spec was edited during the experiment (revision ${before} → ${obs.revision})`;
      transitions.push({ type: "end-decided", id: exp.id, end: "conflict", detail });
      return endStep(status, exp, "conflict", obs, specChanged, transitions);
    }
  }
  // Spec unchanged: expectedSpecHash is kept, since the status write may land before the spec.

  // 4. The health gate (fleetdeck): once the candidate has landed, its pods are judged.
  const deadline = new Date(exp.startedAt ?? obs.now).getTime() + timeoutSeconds * 1000;
  let requeueAfterMs = Math.max(0, deadline - obs.now.getTime());
  const gate = healthGateOf(exp, obs.defaultHealthGate);
  if (gate.enabled && !exp.expectedSpecHash) {
    const verdict = evaluateGate(obs.pods ?? [], gate, obs.now);
    if (verdict.state === "unhealthy") {
      const detail = `unhealthy: ${verdict.summary}`;
      transitions.push({ type: "end-decided", id: exp.id, end: "unhealthy", detail, verdict });
      return endStep(status, exp, "unhealthy", obs, specChanged, transitions);
    }
    if (verdict.tripsAt) {
      requeueAfterMs = Math.min(requeueAfterMs, Math.max(0, verdict.tripsAt.getTime() - obs.now.getTime()));
    }
  }
  return { status, specChanged, transitions, requeueAfterMs };
}

/**
 * Ends the experiment: a rollback restores its baseline first (unless the spec already is the
 * baseline), then the status shows the phase its end maps to. An abort keeps the edited spec;
 * a promote keeps the candidate.
 */
function endStep(
  status: AgentStatus,
  exp: ExperimentStatus,
  end: EndReason,
  obs: Observation,
  specChanged: boolean,
  transitions: Transition[],
): LifecycleStep {
  const baseline = exp.baselineRevision || undefined;
  const restore =
    restoresBaseline(end) && baseline && baseline !== obs.revision
      ? { revision: baseline, end, id: exp.id }
      : undefined;
  status.experiment = endedExperiment(exp, end);
  transitions.push({
    type: "ended",
    id: exp.id,
    end,
    baseline: restoresBaseline(end) ? baseline : undefined,
  });
  return { status, restore, specChanged, transitions };
}

// ---- State after an accepted start (the guards are in lib/experiments.ts) ----

/** The experiment of an accepted start: running from `now`, its baseline the current revision. */
export function startedExperiment(
  status: AgentStatus,
  start: {
    id: string;
    expectedSpecHash?: string;
    now: Date;
    timeoutSeconds: number;
    healthGate: HealthGateSettings;
    startTaskID?: string;
  },
): ExperimentStatus {
  // A retry of this same start (its spec write met a 409) keeps its clock and baseline.
  const retried = status.experiment?.phase === "running" && status.experiment.id === start.id;
  const previous = retried ? status.experiment! : undefined;
  return {
    phase: "running",
    id: start.id,
    startedAt: previous?.startedAt ?? metaTime(start.now),
    ...(start.startTaskID ? { startTaskID: start.startTaskID } : {}),
    baselineRevision: previous?.baselineRevision ?? status.currentRevision,
    ...(start.expectedSpecHash ? { expectedSpecHash: start.expectedSpecHash } : {}),
    timeoutSeconds: start.timeoutSeconds,
    healthGate: start.healthGate,
  };
}
