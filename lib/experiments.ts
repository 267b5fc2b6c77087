// The experiment guards (upstream's signal handling, datadog-operator PR #2760 and its
// annotation signals since) and the manual restore's: may a start, stop, promote or restore act on this status, and why
// not. The controller's command handlers decide with them; the dashboard enables a button or
// says why it is disabled with the same functions, so the two cannot drift apart.
import type { AgentStatus, ExperimentStatus } from "./agents";
import type { CandidateHealth } from "./rollout";

/** A refusal, or (nothingToDo) a request that would change nothing: the command is ignored, not rejected. */
export type Guard = { ok: true } | { ok: false; reason: string; nothingToDo?: true };

/** Why a guard refuses, or null when it allows: what a disabled button says. */
export function refusal(guard: Guard): string | null {
  return guard.ok ? null : guard.reason;
}

/**
 * May an experiment start now? The agent must have been reconciled once (a baseline); no
 * experiment may be running — unless it is this same start, retried before its spec landed
 * (expectedSpecHash still set).
 */
export function canStart(status: AgentStatus, id: string): Guard {
  if (!status.currentRevision) {
    return {
      ok: false,
      reason: "the DatadogAgent has not been reconciled yet (no currentRevision); try again shortly",
    };
  }
  const exp = status.experiment;
  if (exp?.phase !== "running") return { ok: true };
  if (exp.ending) {
    return {
      ok: false,
      reason: `experiment ${exp.id ?? "?"} is ending (${exp.ending}): start again once it has finished`,
    };
  }
  if (exp.id === id && exp.expectedSpecHash) return { ok: true };
  return {
    ok: false,
    reason: `an experiment is active (phase=${exp.phase}, id=${exp.id ?? "?"}): stop or promote it first`,
  };
}

/** May this stop/promote act? Only on the running experiment with the same id. */
export function canEnd(status: AgentStatus, id: string, action: "stop" | "promote"): Guard {
  const exp = status.experiment;
  if (!exp?.phase) return { ok: false, reason: `no experiment to ${action}: none is running` };
  if (exp.id !== id) {
    return {
      ok: false,
      reason: `experiment id mismatch: the ${exp.phase} experiment is ${exp.id ?? "(no id)"}, not ${id}`,
    };
  }
  if (exp.phase !== "running") {
    const why = exp.terminationReason ? `, ${exp.terminationReason}` : "";
    return {
      ok: false,
      reason: `experiment ${id} is not running (phase=${exp.phase}${why}): nothing to ${action}`,
    };
  }
  if (exp.ending) {
    return { ok: false, reason: `experiment ${id} is already ending (${exp.ending}): nothing to ${action}` };
  }
  return { ok: true };
}

/**
 * May the running experiment's candidate be promoted, as far as its health goes? Not while its
 * health gate finds it unhealthy (fleetdeck: upstream promotes whatever runs).
 */
export function canPromoteCandidate(
  candidate: Pick<CandidateHealth, "state" | "summary"> | null | undefined,
): Guard {
  if (candidate?.state !== "unhealthy") return { ok: true };
  return {
    ok: false,
    reason: `the candidate is unhealthy: ${candidate.summary}. Stop the experiment, or let the health gate roll it back`,
  };
}

/**
 * Is an experiment in progress, so that a manual restore must wait? Running, its end included
 * until the cluster shows it (a rollback's restore is written before the terminal phase).
 */
export function activeExperiment(status: AgentStatus): ExperimentStatus | undefined {
  return status.experiment?.phase === "running" ? status.experiment : undefined;
}

/**
 * May `revision` be restored now? Not while an experiment is in progress (activeExperiment),
 * and not when it already is the current revision (the controller ends that command ignored).
 */
export function canRestore(status: AgentStatus, revision: string): Guard {
  const active = activeExperiment(status);
  if (active) {
    return {
      ok: false,
      reason: `experiment ${active.id ?? "?"} is in progress (phase=${active.phase}): promote or stop it before restoring a revision`,
    };
  }
  if (revision === status.currentRevision) {
    return { ok: false, reason: `revision ${revision} is already current`, nothingToDo: true };
  }
  return { ok: true };
}
