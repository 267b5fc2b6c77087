// What Prisma's types of the agents read model (prisma/models.prisma) cannot say: the values of
// its JSON columns and their encoding. Written by controller/agents/read-model.ts, read by
// server/queries.
import type { Experiment } from "../db/models";
import type { AgentStatus, ExperimentStatus, HealthGateSettings } from "../agents";
import type { Condition } from "../conditions";
import type { Json } from "../merge-patch";
import type { AgentRollout } from "../rollout";
import { jsonColumn } from "./json-column";

/** Agent.spec and AgentRevision.spec: a spec, literal secrets redacted. */
export const specColumn = jsonColumn<Json>();
/** The condition saying whether the spec is rendered and its agents can get their keys. */
export const RECONCILED_CONDITION = "FleetdeckReconciled";
/** Agent.conditions: fleetdeck's conditions as written to status.conditions. */
export const conditionsColumn = jsonColumn<Condition[]>();
/** Agent.ignoredFields: the spec's fields fleetdeck does not render. */
export const ignoredFieldsColumn = jsonColumn<string[]>();
/** Agent.experiment: the experiment as fleetdeck knows it, `null` when there is none. */
export const experimentStatusColumn = jsonColumn<ExperimentStatus | null>();
/** AgentRollout.rollout: the rollout of the agent's workloads. */
export const rolloutColumn = jsonColumn<AgentRollout>();
/** Experiment.config: the merge patch the experiment applied to the spec. */
export const experimentConfigColumn = jsonColumn<Json>();
/** Experiment.healthGate: the gate's settings, resolved at the start. */
export const healthGateColumn = jsonColumn<HealthGateSettings>();

/** An Experiment row as a start writes it. */
export type NewExperimentRow = Pick<
  Experiment,
  | "agentKey"
  | "experimentId"
  | "actor"
  | "source"
  | "timeoutSeconds"
  | "baselineRevision"
  | "candidateRevision"
  | "startedAt"
> & { config: Json; healthGate: HealthGateSettings; landedAt?: Date | null };

/** The status fields an agent row keeps, in the shape the experiment guards take. */
export function agentStatusOf(agent: {
  currentRevision: string | null;
  previousRevision: string | null;
  experiment: ExperimentStatus | null;
}): AgentStatus {
  return {
    ...(agent.currentRevision ? { currentRevision: agent.currentRevision } : {}),
    ...(agent.previousRevision ? { previousRevision: agent.previousRevision } : {}),
    ...(agent.experiment ? { experiment: agent.experiment } : {}),
  };
}
