// The rollout read model of one DatadogAgent as pure functions of what the informers hold: its
// rendered DaemonSet and Deployment, their pods and the nodes. Why a pod is not ready is read
// the way `kubectl get pods` and `kubectl describe` show it (container waiting or terminated
// reasons, the last termination, the scheduler's condition).
import type {
  V1ContainerStatus,
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1Pod,
  V1Taint,
  V1Toleration,
} from "@kubernetes/client-node";
import type {
  AgentRollout,
  Coverage,
  PodProblem,
  RevisionPods,
  RolloutWorkloadKind,
  WorkloadRollout,
} from "../../lib/rollout";
import { redactText } from "../../lib/redact";
import type { GatePod } from "./health-gate";
import { COMPONENT_LABEL, REVISION_ANNOTATION, REVISION_HASH_LABEL } from "./render";

export interface RolloutInput {
  daemonSet: { name: string; object: V1DaemonSet | undefined };
  deployment: { name: string; object: V1Deployment | undefined };
  /** Every pod of the agent (both workloads, label fleetdeck.dev/agent-uid). */
  pods: V1Pod[];
  nodes: V1Node[];
}

/** Why a pod is not ready, or null when it is ready (or terminating: on its way out). */
export function podProblem(
  pod: V1Pod,
): Pick<PodProblem, "reason" | "message" | "lastTermination" | "restarts"> | null {
  if (pod.metadata?.deletionTimestamp || isReady(pod)) return null;
  const status = pod.status ?? {};
  const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const restarts = containers.reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
  // A message is free text from outside: a container's termination message is whatever it wrote,
  // a pull error may quote a registry URL with its credentials. It is stored, logged and shown, so
  // it goes through the one redactor first (docs/security.md).
  const problem = (reason: string, message = "", lastTermination: string | null = null) => ({
    reason,
    message: redactText(message),
    lastTermination,
    restarts,
  });

  if (status.phase === "Failed" || status.phase === "Unknown") {
    return problem(status.reason ?? status.phase, status.message ?? "");
  }
  const scheduled = condition(pod, "PodScheduled");
  if (scheduled?.status === "False") {
    return problem(scheduled.reason ?? "Unschedulable", scheduled.message ?? "");
  }
  // The first container that is not ready says why, as kubectl's STATUS column does.
  const notReady = containers.find((c) => !c.ready && (c.state?.waiting || c.state?.terminated));
  if (notReady) {
    const state = notReady.state!;
    const last = lastTermination(notReady);
    if (state.waiting) return problem(state.waiting.reason ?? "Waiting", state.waiting.message ?? "", last);
    const t = state.terminated!;
    return problem(t.reason ?? "Terminated", t.message ?? `exit code ${t.exitCode}`, last);
  }
  if (containers.some((c) => c.state?.running && !c.ready)) {
    const ready = condition(pod, "Ready");
    return problem("NotReady", ready?.message ?? "running but not ready (readiness probe)");
  }
  return problem(status.phase === "Pending" || !status.phase ? "Pending" : "Starting");
}

function lastTermination(c: V1ContainerStatus): string | null {
  const t = c.lastState?.terminated;
  if (!t) return null;
  return `${t.reason ?? "Terminated"} (exit code ${t.exitCode})`;
}

function condition(pod: V1Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isReady(pod: V1Pod): boolean {
  return condition(pod, "Ready")?.status === "True";
}

/**
 * Since when the pod is unavailable: its creation, or when Ready last turned false if later.
 * The API server keeps both in whole seconds; each is read as the latest instant it may stand
 * for (the end of its second), so a grace counted from it has always fully passed.
 */
export function unavailableSince(pod: V1Pod): Date {
  const created = latestInstant(pod.metadata?.creationTimestamp) ?? new Date(0);
  const ready = condition(pod, "Ready");
  const turned = ready?.status === "False" ? latestInstant(ready.lastTransitionTime) : undefined;
  return turned && turned > created ? turned : created;
}

function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A whole-second time (metav1.Time) as the last millisecond of its second. */
function latestInstant(value: Date | string | undefined): Date | undefined {
  const date = toDate(value);
  if (!date || date.getMilliseconds() !== 0) return date;
  return new Date(date.getTime() + 999);
}

/** The pods of one revision as the health gate judges them. */
export function gatePods(pods: V1Pod[], revisionHash: string): GatePod[] {
  return pods
    .filter(
      (p) => !p.metadata?.deletionTimestamp && p.metadata?.labels?.[REVISION_HASH_LABEL] === revisionHash,
    )
    .map((p) => {
      const problem = podProblem(p);
      return {
        name: p.metadata!.name!,
        node: p.spec?.nodeName ?? null,
        ready: problem === null,
        unavailableSince: unavailableSince(p),
        reason: problem ? reasonText(problem) : "",
      };
    });
}

/** "CrashLoopBackOff (last: Error (exit code 1)), 4 restarts". */
export function reasonText(problem: Pick<PodProblem, "reason" | "lastTermination" | "restarts">): string {
  return (
    problem.reason +
    (problem.lastTermination ? ` (last: ${problem.lastTermination})` : "") +
    (problem.restarts > 0 ? `, ${problem.restarts} restart${problem.restarts === 1 ? "" : "s"}` : "")
  );
}

function componentOf(kind: RolloutWorkloadKind): string {
  return kind === "DaemonSet" ? "agent" : "cluster-agent";
}

function workloadPods(pods: V1Pod[], kind: RolloutWorkloadKind): V1Pod[] {
  return pods.filter((p) => p.metadata?.labels?.[COMPONENT_LABEL] === componentOf(kind));
}

function workloadRollout(
  kind: RolloutWorkloadKind,
  name: string,
  object: V1DaemonSet | V1Deployment | undefined,
  allPods: V1Pod[],
): WorkloadRollout {
  const pods = workloadPods(allPods, kind).filter((p) => !p.metadata?.deletionTimestamp);
  const template = object?.spec?.template.metadata;
  const templateHash = template?.labels?.[REVISION_HASH_LABEL] ?? null;
  const counts = object ? workloadCounts(kind, object) : { desired: 0, updated: 0, ready: 0, available: 0 };
  const byHash = new Map<string, RevisionPods>();
  for (const pod of pods) {
    const hash = pod.metadata?.labels?.[REVISION_HASH_LABEL] ?? "";
    const entry = byHash.get(hash) ?? {
      hash,
      revision: pod.metadata?.annotations?.[REVISION_ANNOTATION] ?? null,
      pods: 0,
      ready: 0,
      current: hash === templateHash,
    };
    entry.pods++;
    if (isReady(pod)) entry.ready++;
    byHash.set(hash, entry);
  }
  const revisions = [...byHash.values()].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.pods - a.pods || a.hash.localeCompare(b.hash),
  );
  return {
    kind,
    name,
    exists: object !== undefined,
    ...counts,
    unavailable: Math.max(0, counts.desired - counts.available),
    generation: object?.metadata?.generation ?? 0,
    observedGeneration: object?.status?.observedGeneration ?? 0,
    templateHash,
    revisions,
  };
}

function workloadCounts(kind: RolloutWorkloadKind, object: V1DaemonSet | V1Deployment) {
  if (kind === "DaemonSet") {
    const s = (object as V1DaemonSet).status;
    return {
      desired: s?.desiredNumberScheduled ?? 0,
      updated: s?.updatedNumberScheduled ?? 0,
      ready: s?.numberReady ?? 0,
      available: s?.numberAvailable ?? 0,
    };
  }
  const d = object as V1Deployment;
  return {
    desired: d.spec?.replicas ?? 1,
    updated: d.status?.updatedReplicas ?? 0,
    ready: d.status?.readyReplicas ?? 0,
    available: d.status?.availableReplicas ?? 0,
  };
}

/** Does one of these tolerations tolerate the taint (the scheduler's rule)? */
export function tolerates(tolerations: V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === "Exists";
    if (t.key !== taint.key) return false;
    return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
  });
}

function nodeReady(node: V1Node): boolean {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

/**
 * The nodes the agent should run on (Ready, not cordoned, matching the DaemonSet's
 * nodeSelector; taints do not exclude a node: a taint the agent does not tolerate is exactly
 * the gap to show) and, for each without a ready agent pod, why.
 */
export function coverage(daemonSet: V1DaemonSet | undefined, pods: V1Pod[], nodes: V1Node[]): Coverage {
  const podSpec = daemonSet?.spec?.template.spec;
  const selector = podSpec?.nodeSelector ?? {};
  const tolerations = podSpec?.tolerations ?? [];
  const eligible = nodes
    .filter((n) => nodeReady(n) && !n.spec?.unschedulable)
    .filter((n) => Object.entries(selector).every(([k, v]) => n.metadata?.labels?.[k] === v))
    .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  const agentPods = workloadPods(pods, "DaemonSet").filter((p) => !p.metadata?.deletionTimestamp);
  const uncovered: Coverage["uncovered"] = [];
  for (const node of eligible) {
    const name = node.metadata!.name!;
    const onNode = agentPods.filter((p) => p.spec?.nodeName === name);
    if (onNode.some(isReady)) continue;
    const problem = onNode.map(podProblem).find((p) => p !== null);
    if (problem) {
      uncovered.push({ node: name, reason: `agent pod not ready: ${reasonText(problem)}` });
      continue;
    }
    const blocking = (node.spec?.taints ?? []).filter(
      (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(tolerations, t),
    );
    uncovered.push({
      node: name,
      reason: !daemonSet
        ? "no agent DaemonSet"
        : blocking.length > 0
          ? `taint ${blocking.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", ")} not tolerated`
          : "no agent pod yet",
    });
  }
  return { nodes: eligible.length, covered: eligible.length - uncovered.length, uncovered };
}

/** The agent's rollout, without the candidate (the caller adds the running experiment's). */
export function summarizeRollout(input: RolloutInput): Omit<AgentRollout, "candidate"> {
  const daemonSet = workloadRollout("DaemonSet", input.daemonSet.name, input.daemonSet.object, input.pods);
  const deployment = workloadRollout(
    "Deployment",
    input.deployment.name,
    input.deployment.object,
    input.pods,
  );
  const problems: PodProblem[] = [];
  for (const kind of ["DaemonSet", "Deployment"] as const) {
    for (const pod of workloadPods(input.pods, kind)) {
      const problem = podProblem(pod);
      if (!problem) continue;
      problems.push({
        name: pod.metadata!.name!,
        workload: kind,
        node: pod.spec?.nodeName ?? null,
        revisionHash: pod.metadata?.labels?.[REVISION_HASH_LABEL] ?? null,
        ...problem,
        createdAt: toDate(pod.metadata?.creationTimestamp)?.toISOString() ?? new Date(0).toISOString(),
        unavailableSince: unavailableSince(pod).toISOString(),
      });
    }
  }
  problems.sort(
    (a, b) => a.unavailableSince.localeCompare(b.unavailableSince) || a.name.localeCompare(b.name),
  );
  return {
    daemonSet,
    deployment,
    problems,
    coverage: coverage(input.daemonSet.object, input.pods, input.nodes),
  };
}
