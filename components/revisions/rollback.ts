import type { AgentDetailDto, RevisionDto } from "@/server/queries/agents";

/** Why rolling back to `target` cannot be requested now, or null when it can. */
export function rollbackBlockedReason(agent: AgentDetailDto, target: RevisionDto): string | null {
  if (agent.deleted) return "This DatadogAgent no longer exists.";
  if (agent.phase === "running" || agent.phase === "rollback") {
    return `Experiment ${agent.experimentId} is ${agent.phase}: promote or stop it before rolling back.`;
  }
  if (target.name === agent.currentRevision) return "This is already the current revision.";
  if (!target.inCluster && target.specRedacted) {
    return "This revision is gone from the cluster and fleetdeck's copy had a literal secret redacted, so it cannot be restored.";
  }
  return null;
}
