import { refusalOf } from "@/lib/access";
import { withCurrentSecrets } from "@/lib/agents";
import { activeExperiment } from "@/lib/experiments";
import { isJsonObject } from "@/lib/merge-patch";
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
  // running one, its end included until the cluster shows it.
  const active = activeExperiment(agentStatusOf(agent));
  if (active?.ending) {
    return `Experiment ${active.id ?? "?"} is ending (${active.ending}): roll back once the cluster shows its end.`;
  }
  if (active) return `Experiment ${active.id ?? "?"} is running: promote or stop it before rolling back.`;
  if (target.name === agent.currentRevision) return "This is already the current revision.";
  // Revisions keep no literal secret: a restore takes today's, the controller's rule too.
  if (target.specRedacted && isJsonObject(target.spec)) {
    const { missing } = withCurrentSecrets(target.spec, agent.spec, { currentRedacted: true });
    if (missing.length > 0) {
      return `This revision held a literal secret at ${missing.join(", ")}, which fleetdeck does not keep and the current spec no longer has, so it cannot be restored.`;
    }
  }
  return null;
}
