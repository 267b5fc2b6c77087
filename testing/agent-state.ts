// Whether fleetdeck has reconciled a DatadogAgent, read from the object alone as a kubectl user
// would: its FleetdeckReconciled condition at the current generation. For the demo, the
// benchmarks and the tests, which wait on it (controller/agents/conditions.ts writes it).
import { revisionName, specHash } from "../controller/agents/hash";
import { RECONCILED_CONDITION } from "../lib/read-model/agents";

export interface ReconciledView {
  metadata: { name: string; generation?: number };
  spec?: unknown;
  status?: { conditions?: { type: string; observedGeneration?: number }[] };
}

/** The agent's current generation has been reconciled. */
export function isReconciled(agent: ReconciledView): boolean {
  const condition = agent.status?.conditions?.find((c) => c.type === RECONCILED_CONDITION);
  return condition !== undefined && condition.observedGeneration === agent.metadata.generation;
}

/** The revision of the agent's spec once it is reconciled (ControllerRevision `<name>-<hash>`), else undefined. */
export function reconciledRevision(agent: ReconciledView): string | undefined {
  return isReconciled(agent) ? revisionName(agent.metadata.name, specHash(agent.spec)) : undefined;
}
