import { refusalOf } from "@/lib/access";
import { activeExperiment } from "@/lib/experiments";
import { agentStatusOf } from "@/lib/read-model/agents";
import type { AgentDetailDto } from "@/server/queries/agents";
import type { RevisionDto } from "@/server/queries/revisions";

/** Why rolling back to `target` cannot be requested now, or null when it can. */
export function rollbackBlockedReason(agent: AgentDetailDto, target: RevisionDto): string | null {
  if (agent.deleted) return "This DatadogAgent no longer exists.";
  // The viewer's permission, as the controller last asked the API server.
  const denied = refusalOf(agent.permission);
  if (denied) return `You may not roll back: ${denied}.`;
  // Which experiments hold a restore back is the controller's rule (lib/experiments.ts): a
  // running one, and a stopped or timed-out one whose baseline is not restored yet.
  const active = activeExperiment(agentStatusOf(agent));
  if (active?.phase === "running") {
    return `Experiment ${active.id ?? "?"} is running: promote or stop it before rolling back.`;
  }
  if (active) {
    return `Experiment ${active.id ?? "?"} is being rolled back (phase=${active.phase}): roll back once its baseline is restored.`;
  }
  if (target.name === agent.currentRevision) return "This is already the current revision.";
  if (!target.inCluster && target.specRedacted) {
    return "This revision is gone from the cluster and fleetdeck's copy had a literal secret redacted, so it cannot be restored.";
  }
  return null;
}
