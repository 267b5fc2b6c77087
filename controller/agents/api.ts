// Reads and writes of DatadogAgents. Every write carries the resourceVersion that was read, so
// a write based on a stale read fails with 409 and is retried from a fresh read instead of
// overwriting someone else's change. Spec writes also say why fleetdeck made them (the
// change-cause annotation), so the next reconcile can attribute the new revision.
import type { Condition } from "../../lib/conditions";
import type { Json, JsonObject } from "../../lib/merge-patch";
import { FIELD_MANAGER, resourcePath, type KubeClient } from "../kube/client";
import type { KubeObject } from "../kube/informer";
import type { RevisionCause } from "../../lib/agents";
import type { ClusterExperiment } from "./experiment";

export const DDA_GROUP = "datadoghq.com";
export const DDA_VERSION = "v2alpha1";
export const DDA_PLURAL = "datadogagents";
export const DDA_API_VERSION = `${DDA_GROUP}/${DDA_VERSION}`;
export const DDA_KIND = "DatadogAgent";
export const DDA_PATH = `/apis/${DDA_GROUP}/${DDA_VERSION}/${DDA_PLURAL}`;
/** Set by fleetdeck on every spec write it makes: why, by whom, and which spec it wrote. */
export const CHANGE_CAUSE_ANNOTATION = "fleetdeck.dev/change-cause";
/** The operator's experiment signal annotations (api/datadoghq/v2alpha1/const.go). */
export const SIGNAL_ANNOTATION = "experiment.datadoghq.com/signal";
export const SIGNAL_ID_ANNOTATION = "experiment.datadoghq.com/id";
/** The Fleet Automation task a start signal comes from (upstream keeps it as status.experiment.startTaskID). */
export const PENDING_TASK_ANNOTATION = "fleet.datadoghq.com/pending-task-id";

/**
 * The DatadogAgent status as the operator's CRD has it: of it fleetdeck writes `experiment`
 * and its own `conditions`; every other field is the operator's, kept as found.
 */
export interface DatadogAgentStatus {
  conditions?: Condition[];
  experiment?: ClusterExperiment;
  [field: string]: unknown;
}

export interface DatadogAgent extends KubeObject {
  spec?: JsonObject;
  status?: DatadogAgentStatus;
}

export interface ChangeCause {
  cause: RevisionCause;
  actor: string;
  experimentId?: string;
  /** Hash of the spec written, and the generation it gets: a later edit is not attributed. */
  hash: string;
  generation: number;
}

const agentPath = (namespace: string, name: string) =>
  resourcePath({ group: DDA_GROUP, version: DDA_VERSION, resource: DDA_PLURAL, namespace, name });

export class AgentApi {
  constructor(private readonly client: KubeClient) {}

  /** The DatadogAgent, or undefined when it does not exist. */
  get(namespace: string, name: string): Promise<DatadogAgent | undefined> {
    return this.client.getIfExists<DatadogAgent>(agentPath(namespace, name));
  }

  /**
   * Replaces the spec (PUT, guarded by the resourceVersion read). With `dryRun` the API server
   * validates it against the CRD schema and stores nothing. Unknown fields are an error, not
   * silently pruned.
   */
  async replaceSpec(
    agent: DatadogAgent,
    spec: Json,
    cause: Omit<ChangeCause, "generation">,
    options: { dryRun?: boolean } = {},
  ): Promise<DatadogAgent> {
    const { managedFields: _managed, ...metadata } = agent.metadata;
    const annotation: ChangeCause = { ...cause, generation: (agent.metadata.generation ?? 0) + 1 };
    return this.client.replace<DatadogAgent>(
      agentPath(agent.metadata.namespace!, agent.metadata.name),
      {
        apiVersion: DDA_API_VERSION,
        kind: DDA_KIND,
        metadata: {
          ...metadata,
          annotations: {
            ...agent.metadata.annotations,
            [CHANGE_CAUSE_ANNOTATION]: JSON.stringify(annotation),
          },
        },
        spec,
      },
      { fieldManager: FIELD_MANAGER, fieldValidation: "Strict", dryRun: options.dryRun ? "All" : undefined },
    );
  }

  /** Merge-patches the status subresource, guarded by the resourceVersion read. */
  async patchStatus(agent: DatadogAgent, patch: Json): Promise<DatadogAgent> {
    return this.client.patchStatus<DatadogAgent>(agentPath(agent.metadata.namespace!, agent.metadata.name), {
      metadata: { resourceVersion: agent.metadata.resourceVersion },
      status: patch,
    });
  }

  /**
   * Removes the experiment signal annotations once acted on, as upstream does: a JSON patch that
   * first tests the id, so a newer signal written meanwhile is not removed (422, and it stays).
   */
  async clearSignal(agent: DatadogAgent, id: string): Promise<void> {
    const path = (key: string) => `/metadata/annotations/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    const annotations = agent.metadata.annotations ?? {};
    await this.client.jsonPatch(agentPath(agent.metadata.namespace!, agent.metadata.name), [
      { op: "test", path: path(SIGNAL_ID_ANNOTATION), value: id },
      ...(SIGNAL_ANNOTATION in annotations ? [{ op: "remove", path: path(SIGNAL_ANNOTATION) }] : []),
      { op: "remove", path: path(SIGNAL_ID_ANNOTATION) },
    ]);
  }
}

/** The change-cause fleetdeck wrote, if it describes this exact spec and generation. */
export function changeCauseFor(agent: DatadogAgent, hash: string): ChangeCause | undefined {
  const raw = agent.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
  if (!raw) return undefined;
  try {
    const cause = JSON.parse(raw) as ChangeCause;
    return cause.hash === hash && cause.generation === agent.metadata.generation ? cause : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who last wrote the spec, from managedFields, for an edit fleetdeck did not make. Kubernetes
 * does not record users, only field managers (kubectl-edit, kubectl-client-side-apply...), so
 * this names the tool, honestly labelled as such.
 */
export function outsideEditor(agent: DatadogAgent): string {
  const entries = (agent.metadata.managedFields ?? []) as {
    manager?: string;
    time?: string;
    fieldsV1?: Record<string, unknown>;
    subresource?: string;
  }[];
  const specWriters = entries
    .filter((e) => !e.subresource && e.fieldsV1 && "f:spec" in e.fieldsV1 && e.manager !== FIELD_MANAGER)
    .sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""));
  const manager = specWriters[0]?.manager;
  return manager ? `outside edit (field manager ${manager})` : "cluster (outside edit)";
}
