// What the DatadogAgent reconciler and the command handlers both say about an agent: the
// status fields fleetdeck owns, the agent as an Event's subject, and an audit entry about it.
import type { AgentStatus } from "../../lib/agents";
import type { AuditEntry } from "../store/audit";
import type { DatadogAgent } from "./api";

/** The status fields fleetdeck's reconciler owns (other features may add their own). */
export function ownStatus(status: DatadogAgent["status"]): AgentStatus {
  const own: AgentStatus = {};
  if (!status) return own;
  if (status.observedGeneration !== undefined) own.observedGeneration = status.observedGeneration;
  if (status.currentRevision) own.currentRevision = status.currentRevision;
  if (status.previousRevision) own.previousRevision = status.previousRevision;
  if (status.experiment) own.experiment = structuredClone(status.experiment);
  return own;
}

export function agentRef(agent: DatadogAgent) {
  return {
    apiVersion: "datadoghq.com/v2alpha1",
    kind: "DatadogAgent",
    name: agent.metadata.name,
    namespace: agent.metadata.namespace,
    uid: agent.metadata.uid,
  };
}

export function audit(
  actor: string,
  action: string,
  target: string,
  details: Record<string, unknown>,
): AuditEntry {
  return { actor, action, targetKind: "DatadogAgent", target, details };
}
