// What Prisma's types of the agents read model (prisma/models.prisma) cannot say: the values of
// its JSON columns and their encoding. Written by controller/agents/read-model.ts, read by
// server/queries.
import type { Experiment } from "../db/models";
import type { AgentStatus, ExperimentStatus } from "../agents";
import type { Json } from "../merge-patch";
import type { AgentRollout } from "../rollout";
import { jsonColumn } from "./json-column";

/** Agent.spec and AgentRevision.spec: a spec, literal secrets redacted. */
export const specColumn = jsonColumn<Json>();
/** Agent.experiment: status.experiment, `null` when there is none. */
export const experimentStatusColumn = jsonColumn<ExperimentStatus | null>();
/** AgentRollout.rollout: the rollout of the agent's workloads. */
export const rolloutColumn = jsonColumn<AgentRollout>();
/** Experiment.config: the merge patch the experiment applied to the spec. */
export const experimentConfigColumn = jsonColumn<Json>();

/** An Experiment row as the start command writes it, before its clock starts. */
export type NewExperimentRow = Pick<
  Experiment,
  | "agentKey"
  | "experimentId"
  | "actor"
  | "source"
  | "timeoutSeconds"
  | "baselineRevision"
  | "candidateRevision"
> & { config: Json };

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
