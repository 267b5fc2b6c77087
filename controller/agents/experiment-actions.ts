// What a request to stop or promote an experiment does, whoever asks: a dashboard command, the
// Remote Config signal endpoint (both Commands) or the operator's signal annotation. The
// decision is recorded in the store (once: a timeout or the health gate may have decided first),
// with its audit row; the DatadogAgent reconciler then carries it out in the cluster (restores
// the baseline, writes the operator's phase), as it does for its own decisions, so a restart in
// between still finishes it.
import type { AgentStatus, HealthGateSettings } from "../../lib/agents";
import { canEnd, canPromoteCandidate } from "../../lib/experiments";
import type { CandidateHealth } from "../../lib/rollout";
import type { DatadogAgent } from "./api";
import { audit } from "./agent";
import { applyDefaults } from "./defaults";
import { hashDefaultedSpec, revisionName } from "./hash";
import type { AgentReadModel } from "./read-model";

export interface EndRequest {
  action: "stop" | "promote";
  id: string;
  actor: string;
  commandId?: number;
  /** Where it came from, for the audit row: "dashboard", "signal", "annotation". */
  source: string;
}

export type EndOutcome =
  /** `detail`: the end in words, as recorded ("stopped by bob"). */
  | { status: "applied"; message: string; detail: string; details?: Record<string, unknown> }
  | { status: "ignored"; message: string }
  | { status: "rejected"; message: string };

export interface ActionDeps {
  readModel: Pick<AgentReadModel, "decideEnd">;
  /** The running experiment's candidate under its health gate, now (promote is refused while unhealthy). */
  candidateHealth?: (target: string) => CandidateHealth | null;
  defaultHealthGate: HealthGateSettings;
  defaultTimeoutSeconds: number;
}

/** Decides a stop or a promote of `agent`'s experiment `id`, given what fleetdeck knows of it. */
export async function requestEnd(
  deps: ActionDeps,
  agent: DatadogAgent,
  status: AgentStatus,
  request: EndRequest,
): Promise<EndOutcome> {
  const target = `${agent.metadata.namespace}/${agent.metadata.name}`;
  const { action, id, actor } = request;
  const guard = canEnd(status, id, action);
  if (!guard.ok) return { status: "ignored", message: guard.reason };
  const baseline = status.experiment?.baselineRevision;
  if (action === "stop") {
    const decided = await deps.readModel.decideEnd(
      target,
      id,
      { end: "stopped", detail: `stopped by ${actor}`, endedBy: actor },
      {
        ...audit(actor, "experiment.stop-requested", target, {
          experimentId: id,
          baselineRevision: baseline,
          source: request.source,
        }),
        commandId: request.commandId,
      },
    );
    if (!decided) return { status: "ignored", message: `experiment ${id} has already ended` };
    return {
      status: "applied",
      message: `experiment ${id} stopped: rolling ${target} back to baseline ${baseline ?? "(unknown)"}`,
      detail: `stopped by ${actor}`,
      details: { experimentId: id, baselineRevision: baseline },
    };
  }
  const health = canPromoteCandidate(deps.candidateHealth?.(target));
  if (!health.ok) return { status: "rejected", message: health.reason };
  const defaulted = applyDefaults(agent.spec);
  const hash = hashDefaultedSpec(defaulted);
  const kept = revisionName(agent.metadata.name, hash);
  const detail = `promoted by ${actor}: revision ${kept} stays`;
  const decided = await deps.readModel.decideEnd(
    target,
    id,
    { end: "promoted", detail, endedBy: actor },
    {
      ...audit(actor, "experiment.promoted", target, {
        experimentId: id,
        revision: kept,
        source: request.source,
      }),
      commandId: request.commandId,
    },
    { agentKey: target, name: kept, hash, spec: defaulted, cause: "promote", actor, experimentId: id },
  );
  if (!decided) return { status: "ignored", message: `experiment ${id} has already ended` };
  return {
    status: "applied",
    message: `experiment ${id} promoted: ${target} keeps revision ${kept}`,
    detail,
  };
}
