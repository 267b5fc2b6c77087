// What a cluster's own experiment means for the fleet experiment: the one place that reads the
// per-cluster experiment's rows (its Experiment row, the DatadogAgent's status, its candidate's
// rollout, the commands sent there) and maps them to the fleet driver's signals (rules.ts). The
// per-cluster experiment speaks the datadog-operator's API (status.experiment's phases running,
// terminated, promoted, aborted) and fleetdeck's end reasons beside them (lib/agents.ts
// END_REASONS: promoted, stopped, timed_out, unhealthy, conflict); when they change, this module
// changes, and the rules do not.
import type { CommandStatus } from "../lib/commands";
import type { EndReason, ExperimentStatus } from "../lib/agents";
import { activeExperiment } from "../lib/experiments";
import type { FleetStepName } from "../lib/fleet-experiments";
import type { AgentRollout } from "../lib/rollout";
import type { CandidateSignal, CommandSignal, ExperimentSignal, TargetSignal } from "./rules";

/** The Experiment row of the fleet experiment's experiment in that cluster (prisma/models.prisma). */
export interface ExperimentRow {
  /** Why it ended (END_REASONS), set once fleetdeck decided the end, before the cluster shows it; null while running. */
  endReason: string | null;
  /** The end in words ("unhealthy: …" for the health gate's). */
  reason: string | null;
  endedBy: string | null;
  baselineRevision: string;
  candidateRevision: string;
  startedAt: Date | null;
  timeoutSeconds: number;
}

export interface TargetRows {
  /** Whether its cluster's controllers report (lib/fleet.ts), and their latest heartbeat. */
  reporting: boolean;
  lastHeartbeatAt: string | null;
  /** The commands this fleet experiment sent for it, by step. */
  commands: Partial<Record<FleetStepName, { id: number; status: string; message: string | null }>>;
  experiment: ExperimentRow | null;
  /** The Agent row: its current revision and status.experiment. */
  agent: { currentRevision: string | null; experiment: ExperimentStatus | null } | null;
  rollout: AgentRollout | null;
}

/** The health gate writes "unhealthy: <what it saw>" as the reason of the end it decides. */
const UNHEALTHY = /^unhealthy:\s*/;

export function experimentSignal(row: ExperimentRow, stoppedByUs: boolean): ExperimentSignal {
  const base = {
    baselineRevision: row.baselineRevision,
    candidateRevision: row.candidateRevision,
    deadline: row.startedAt ? row.startedAt.getTime() + row.timeoutSeconds * 1000 : null,
    stoppedByUs: false,
    abortedByEdit: false,
    ending: null,
  };
  const detail = (row.reason ?? "").trim();
  // An end decided counts from then on: the cluster's restore (a rollback) follows, and the
  // driver confirms it from the agent's current revision, not from this row.
  switch (row.endReason as EndReason | null) {
    case null:
      return { ...base, status: "running" };
    case "promoted":
      return { ...base, status: "promoted" };
    case "unhealthy":
      return {
        ...base,
        status: "ended",
        ending: `rolled back by its health gate: ${detail.replace(UNHEALTHY, "")}`,
      };
    case "stopped":
      return {
        ...base,
        status: "ended",
        stoppedByUs,
        ending: stoppedByUs
          ? "stopped by the fleet experiment"
          : `rolled back: ${detail || `stopped by ${row.endedBy ?? "someone"}`}`,
      };
    case "timed_out":
      return { ...base, status: "ended", ending: `timed out: ${detail}`.trim() };
    case "conflict":
      return {
        ...base,
        status: "ended",
        abortedByEdit: true,
        ending: `aborted by an outside edit: ${detail}`.trim(),
      };
    default:
      return { ...base, status: "ended", ending: `ended (${String(row.endReason)}): ${detail}`.trim() };
  }
}

/**
 * The candidate under its health gate: ready once every pod the candidate should have exists
 * and is ready (the bake starts then); unhealthy when the gate says so (it rolls back by itself).
 */
export function candidateSignal(rollout: AgentRollout | null, experimentId: string): CandidateSignal {
  const candidate = rollout?.candidate;
  if (!candidate || candidate.experimentId !== experimentId) {
    return { state: "unknown", summary: "waiting for the candidate's pods" };
  }
  if (candidate.state === "unhealthy") return { state: "unhealthy", summary: candidate.summary };
  const rolledOut =
    candidate.state === "healthy" &&
    candidate.desired > 0 &&
    candidate.pods >= candidate.desired &&
    candidate.ready >= candidate.desired;
  if (rolledOut)
    return { state: "ready", summary: `${candidate.ready} of ${candidate.desired} candidate pods ready` };
  return {
    state: "progressing",
    summary: `${candidate.ready} of ${candidate.desired} candidate pods ready; ${candidate.summary}`,
  };
}

export function targetSignal(rows: TargetRows, experimentId: string): TargetSignal {
  const commands: Partial<Record<FleetStepName, CommandSignal>> = {};
  for (const [step, c] of Object.entries(rows.commands)) {
    commands[step as FleetStepName] = { id: c.id, status: c.status as CommandStatus, message: c.message };
  }
  const stoppedByUs = commands.stop?.status === "applied";
  const status = rows.agent?.experiment ? { experiment: rows.agent.experiment } : {};
  const active = activeExperiment(status);
  return {
    reporting: rows.reporting,
    lastHeartbeatAt: rows.lastHeartbeatAt,
    commands,
    experiment: rows.experiment ? experimentSignal(rows.experiment, stoppedByUs) : null,
    candidate: candidateSignal(rows.rollout, experimentId),
    currentRevision: rows.agent?.currentRevision ?? null,
    experimentActive: active?.id === experimentId,
  };
}
