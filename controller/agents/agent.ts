// What the DatadogAgent reconciler, the command handlers and the signal annotations all say
// about an agent: the agent as an Event's subject, and an audit entry about it.
import type { AuditEntry } from "../store/audit";
import type { DatadogAgent } from "./api";

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
