// What the fleet page lists under "needs attention": the rules, shared by the query that finds
// the items and the tests. Each item names its cluster and the place to act.
import type { AgentRollout } from "@/lib/rollout";

export type AttentionKind =
  | "agent-unhealthy"
  | "experiment-unhealthy"
  | "experiment-timeout"
  | "forwarder-failing"
  | "spot-fallback"
  | "controller-not-reporting"
  | "authorization-off"
  | "fleet-experiment-halted"
  | "fleet-experiment-approval";

export interface AttentionItem {
  kind: AttentionKind;
  /** "" for what is about the whole fleet (a fleet experiment). */
  clusterId: string;
  clusterName: string;
  /**
   * What it is about: an agent's or workload's "namespace/name", a forwarder's name, a fleet
   * experiment's name, "" for a cluster.
   */
  subject: string;
  /** One line: what is wrong. */
  detail: string;
}

/** The last stretch of an experiment's timeout that counts as close: 10 %, at least 5 minutes. */
export function closeToTimeout(startedAt: Date, timeoutSeconds: number, now: number): boolean {
  const endsAt = startedAt.getTime() + timeoutSeconds * 1000;
  const window = Math.max(300, timeoutSeconds / 10) * 1000;
  return now < endsAt && endsAt - now <= window;
}

/** A degraded rollout in one line: readiness, the failing pods' reasons, the nodes without an agent. */
export function rolloutProblem(rollout: AgentRollout): string {
  const parts = [`${rollout.daemonSet.ready}/${rollout.daemonSet.desired} agents ready`];
  if (rollout.problems.length > 0) {
    const reasons = [...new Set(rollout.problems.map((p) => p.reason))].join(", ");
    parts.push(
      `${rollout.problems.length} pod${rollout.problems.length === 1 ? "" : "s"} failing (${reasons})`,
    );
  }
  if (rollout.coverage.uncovered.length > 0) {
    parts.push(`no agent on ${rollout.coverage.uncovered.length} of ${rollout.coverage.nodes} nodes`);
  }
  return parts.join("; ");
}

/** A controller's per-user authorization (FLEETDECK_AUTHZ), as its heartbeat reports it. */
export type AuthorizationMode = "none" | "kubernetes";

/**
 * A cluster's per-user authorization from its running controllers' reports: "none" when any of
 * them runs without it (any of them may lead, and the leader applies the commands),
 * "kubernetes" when every one that reports has it, null when none reports (older controllers).
 */
export function clusterAuthorization(modes: (string | null)[]): AuthorizationMode | null {
  if (modes.includes("none")) return "none";
  return modes.includes("kubernetes") ? "kubernetes" : null;
}

/** A cluster whose commands are not reviewed for their actor needs attention: why, and the fix. */
export function authorizationAttention(cluster: {
  id: string;
  name: string;
  authorization: AuthorizationMode | null;
}): AttentionItem | null {
  if (cluster.authorization !== "none") return null;
  return {
    kind: "authorization-off",
    clusterId: cluster.id,
    clusterName: cluster.name,
    subject: "",
    detail:
      "per-user authorization is off (FLEETDECK_AUTHZ=none): whoever signs in may do anything the controller can do here, " +
      "whatever their Kubernetes RBAC says; set FLEETDECK_AUTHZ=kubernetes on its controllers (config/deploy does)",
  };
}
