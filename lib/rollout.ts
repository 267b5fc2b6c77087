// The rollout of a DatadogAgent's rendered workloads, as the controller observes it from its
// informers and the dashboard shows it (docs/health.md): counts per workload, pods per revision,
// node coverage, every pod that is not ready with its reason, and the running experiment's
// candidate under its health gate. Shared by the controller (writer), the dashboard (reader)
// and the experiment guards (promote is refused while the candidate is unhealthy).

export type RolloutWorkloadKind = "DaemonSet" | "Deployment";

/** Pods of one revision (the revision stamped on the pod template). */
export interface RevisionPods {
  /** The `fleetdeck.dev/revision-hash` label. */
  hash: string;
  /** The ControllerRevision name from the `fleetdeck.dev/revision` annotation, when known. */
  revision: string | null;
  pods: number;
  ready: number;
  /** The revision the workload's template is at now. */
  current: boolean;
}

export interface WorkloadRollout {
  kind: RolloutWorkloadKind;
  name: string;
  /** False until the workload has been created (or after it was deleted). */
  exists: boolean;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  unavailable: number;
  generation: number;
  observedGeneration: number;
  /** The revision hash of the current pod template. */
  templateHash: string | null;
  /** Newest (the template's) first. */
  revisions: RevisionPods[];
}

/** A pod that is not ready, and why. */
export interface PodProblem {
  name: string;
  workload: RolloutWorkloadKind;
  node: string | null;
  revisionHash: string | null;
  /** CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Unschedulable, OOMKilled, NotReady, ... */
  reason: string;
  /** The kubelet's or scheduler's message, or "". */
  message: string;
  /** The last termination when a container restarts, e.g. "OOMKilled (exit code 137)". */
  lastTermination: string | null;
  restarts: number;
  createdAt: string;
  /** Since when it is unavailable: its creation, or when its Ready condition last turned false. */
  unavailableSince: string;
}

/** Nodes the agent DaemonSet should run on, and those it does not run on. */
export interface Coverage {
  /** Schedulable nodes (not cordoned) matching the DaemonSet's nodeSelector. */
  nodes: number;
  /** Of those, nodes with a ready agent pod. */
  covered: number;
  uncovered: { node: string; reason: string }[];
}

export type GateVerdictState = "healthy" | "progressing" | "unhealthy";

/** The running experiment's candidate revision under its health gate, as last evaluated. */
export interface CandidateHealth {
  experimentId: string;
  revision: string;
  hash: string;
  /** Candidate pods that exist, ready, unavailable, and unavailable for longer than the grace. */
  pods: number;
  ready: number;
  unavailable: number;
  failing: number;
  /** Pods expected at the candidate once rolled out (both workloads' desired counts). */
  desired: number;
  state: GateVerdictState;
  /** When the gate trips if nothing changes (state progressing). */
  tripsAt: string | null;
  /** One line: what the gate sees. */
  summary: string;
  thresholdPercent: number;
  graceSeconds: number;
  /** Whether the gate rolls back by itself (false: it only reports). */
  enabled: boolean;
}

export interface AgentRollout {
  daemonSet: WorkloadRollout;
  deployment: WorkloadRollout;
  /** Every pod of both workloads that is not ready (terminating ones excepted), oldest first. */
  problems: PodProblem[];
  coverage: Coverage;
  candidate: CandidateHealth | null;
}

export type RolloutState = "healthy" | "progressing" | "degraded" | "unknown";

/**
 * One word for a rollout: degraded when a pod fails (a reason other than starting up) or nodes
 * lack an agent; progressing while pods start or a template is not rolled out; else healthy.
 */
export function rolloutState(rollout: AgentRollout | null): RolloutState {
  if (!rollout || !rollout.daemonSet.exists) return "unknown";
  if (rollout.candidate?.state === "unhealthy") return "degraded";
  if (rollout.problems.some((p) => !STARTING_REASONS.has(p.reason))) return "degraded";
  if (rollout.coverage.uncovered.length > 0) return "degraded";
  const settling = [rollout.daemonSet, rollout.deployment].some(
    (w) =>
      w.exists &&
      (w.observedGeneration < w.generation ||
        w.updated < w.desired ||
        w.unavailable > 0 ||
        w.revisions.length > 1),
  );
  return settling || rollout.problems.length > 0 ? "progressing" : "healthy";
}

/** Reasons of a pod on its way up, not of a failure. */
export const STARTING_REASONS: ReadonlySet<string> = new Set([
  "ContainerCreating",
  "PodInitializing",
  "Pending",
  "Starting",
]);

/** "5/6 ready" of a workload. */
export function readyText(w: WorkloadRollout): string {
  return `${w.ready}/${w.desired} ready`;
}
