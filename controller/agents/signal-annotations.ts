// The operator's experiment signals: the annotations experiment.datadoghq.com/signal (start,
// rollback, promote) and experiment.datadoghq.com/id on the DatadogAgent, which Fleet
// Automation's daemon (pkg/fleet) or any user writes; a start carries its config in the same
// merge patch as the annotations, so the spec already holds it. Processed as the operator does
// (internal/controller/datadogagent/experiment.go processExperimentSignal): act, then clear both
// annotations with a JSON patch that first tests the id; a start whose id the status already
// names is a no-op; a start over a running experiment is ignored; an unknown signal is cleared.
// Beyond upstream, fleetdeck judges a start by the same config policy as the dashboard's (a
// refused start is undone: the baseline spec is written back), requires a rollback's or
// promote's id to be the running experiment's, refuses to promote an unhealthy candidate, and
// audits every signal with its writer (the field manager that set the annotation).
import type { AgentStatus } from "../../lib/agents";
import { canStart } from "../../lib/experiments";
import { createMergePatch, type Json } from "../../lib/merge-patch";
import { isNotFound, statusCode } from "../kube/client";
import type { EventInput, EventRecorder } from "../kube/events";
import type { Logger } from "../log";
import {
  PENDING_TASK_ANNOTATION,
  SIGNAL_ANNOTATION,
  SIGNAL_ID_ANNOTATION,
  type AgentApi,
  type DatadogAgent,
} from "./api";
import { policyViolation, type ConfigPolicy } from "./config-policy";
import { agentRef, audit } from "./agent";
import { requestEnd, type ActionDeps } from "./experiment-actions";
import { startedExperiment } from "./experiment";
import { specHash } from "./hash";
import { loadRevisionSpec, RevisionUnavailable, type Revisions } from "./revisions";
import type { AgentReadModel } from "./read-model";

export const SIGNALS = { start: "start", rollback: "rollback", promote: "promote" } as const;

/** What a signal asks for, given fleetdeck's state (pure; upstream's order of checks). */
export type SignalDecision =
  { type: "start" } | { type: "end"; action: "stop" | "promote" } | { type: "skip"; reason: string };

export function decideSignal(signal: string, id: string, status: AgentStatus): SignalDecision {
  const exp = status.experiment;
  switch (signal) {
    case SIGNALS.start:
      if (exp?.id === id) return { type: "skip", reason: `experiment ${id} was already started` };
      if (exp?.phase === "running") {
        return {
          type: "skip",
          reason: `experiment ${exp.id ?? "?"} is running: a start of ${id} is ignored`,
        };
      }
      return { type: "start" };
    case SIGNALS.rollback:
      return { type: "end", action: "stop" };
    case SIGNALS.promote:
      return { type: "end", action: "promote" };
    default:
      return {
        type: "skip",
        reason: `unknown signal ${JSON.stringify(signal)}; expected ${Object.values(SIGNALS).join(", ")}`,
      };
  }
}

/** Who set the signal annotation: the field manager managedFields names for it. */
export function signalWriter(agent: DatadogAgent): string {
  const entries = (agent.metadata.managedFields ?? []) as {
    manager?: string;
    time?: string;
    fieldsV1?: { "f:metadata"?: { "f:annotations"?: Record<string, unknown> } };
  }[];
  const writers = entries
    .filter((e) => e.fieldsV1?.["f:metadata"]?.["f:annotations"]?.[`f:${SIGNAL_ANNOTATION}`] !== undefined)
    .sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""));
  const manager = writers[0]?.manager;
  return manager ? `field manager ${manager} (signal annotation)` : "unknown (signal annotation)";
}

export interface SignalResult {
  /** fleetdeck's state after the signal: a started experiment, or an end decided. */
  status: AgentStatus;
  /** Clear the annotations (of this id) once the status is written. */
  clearId?: string;
  /** Who started the experiment, for its candidate's history entry. */
  startedBy?: string;
  /** A stop or promote decided now: who, and what (for the restore's history entry and Events). */
  ended?: { id: string; actor: string; detail: string };
  /** A refused start's spec was written back: the reconcile starts over. */
  restored?: boolean;
}

export interface SignalDeps extends ActionDeps {
  api: Pick<AgentApi, "replaceSpec" | "clearSignal">;
  revisions: Revisions;
  readModel: Pick<
    AgentReadModel,
    "decideEnd" | "startExperiment" | "audit" | "revisionSpec" | "setInCluster"
  >;
  events: Pick<EventRecorder, "record">;
  policy: ConfigPolicy;
  log: Logger;
  now?: () => Date;
}

export class SignalAnnotations {
  /**
   * Per agent, the signal last acted on and the versions of the agent this process saw it in:
   * the one it acted on and its own status write's. The informer's cache may show those again
   * before the clear lands; acting again would be harmless (upstream's signals are idempotent)
   * but would audit it twice. The same signal written again is a new version: acted on.
   */
  private readonly handled = new Map<string, { token: string; versions: Set<string> }>();

  constructor(private readonly deps: SignalDeps) {}

  /** Acts on the agent's signal annotation, if it has one; undefined when it has none. */
  async process(
    agent: DatadogAgent,
    status: AgentStatus,
    current: { defaulted: Json; hash: string; revision: string },
  ): Promise<SignalResult | undefined> {
    const annotations = agent.metadata.annotations ?? {};
    const signal = annotations[SIGNAL_ANNOTATION];
    const id = annotations[SIGNAL_ID_ANNOTATION];
    if (!signal || !id) return undefined;
    const key = `${agent.metadata.namespace}/${agent.metadata.name}`;
    const token = `${signal}\u0000${id}`;
    const version = agent.metadata.resourceVersion ?? "";
    const last = this.handled.get(key);
    if (last?.token === token && last.versions.has(version)) return { status, clearId: id };
    this.handled.set(key, { token, versions: new Set([version]) });
    const actor = signalWriter(agent);
    const decision = decideSignal(signal, id, status);
    if (decision.type === "skip") {
      await this.record(agent, actor, signal, id, "ignored", decision.reason);
      return { status, clearId: id };
    }
    if (decision.type === "start") return this.start(agent, status, current, id, actor);
    const outcome = await requestEnd(this.deps, agent, status, {
      action: decision.action,
      id,
      actor,
      source: "annotation",
    });
    if (outcome.status !== "applied") {
      await this.record(agent, actor, signal, id, outcome.status, outcome.message);
      return { status, clearId: id };
    }
    this.deps.log.info({ agent: agent.metadata.name, signal, experimentId: id, actor }, "experiment signal");
    const ending = decision.action === "stop" ? ("stopped" as const) : ("promoted" as const);
    return {
      status: { ...status, experiment: { ...status.experiment, ending } },
      clearId: id,
      ended: { id, actor, detail: outcome.detail },
    };
  }

  /** Forgets what this process acted on for an agent (it was deleted). */
  forget(key: string): void {
    this.handled.delete(key);
  }

  /** Removes the annotations once acted on; a newer signal written meanwhile stays (the test fails). */
  async clear(agent: DatadogAgent, id: string): Promise<void> {
    const key = `${agent.metadata.namespace}/${agent.metadata.name}`;
    this.handled.get(key)?.versions.add(agent.metadata.resourceVersion ?? "");
    try {
      await this.deps.api.clearSignal(agent, id);
    } catch (error) {
      const code = statusCode(error);
      if (isNotFound(error) || code === 422 || code === 409) return;
      // Cleared on a later reconcile: acting again on the same signal is a no-op.
      this.deps.log.warn({ agent: agent.metadata.name, err: (error as Error).message }, "signal not cleared");
    }
  }

  /**
   * A start: the spec already holds the candidate (the daemon writes config and annotations in
   * one patch); the baseline is the revision fleetdeck knew as current before it.
   */
  private async start(
    agent: DatadogAgent,
    status: AgentStatus,
    current: { defaulted: Json; hash: string; revision: string },
    id: string,
    actor: string,
  ): Promise<SignalResult> {
    const key = `${agent.metadata.namespace}/${agent.metadata.name}`;
    const refuse = async (reason: string): Promise<SignalResult> => {
      await this.record(agent, actor, SIGNALS.start, id, "rejected", reason);
      return { status, clearId: id };
    };
    const guard = canStart(status, id);
    if (!guard.ok) return refuse(guard.reason);
    const baseline = status.currentRevision!;
    if (baseline === current.revision) {
      return refuse(`the spec is the current revision ${baseline}: the start came without a config change`);
    }
    let baselineSpec: Json;
    try {
      baselineSpec = await loadRevisionSpec(this.deps, agent, baseline);
    } catch (error) {
      if (error instanceof RevisionUnavailable)
        return refuse(`its baseline cannot be restored: ${error.message}`);
      throw error;
    }
    const violation = policyViolation(agent.spec ?? {}, baselineSpec, this.deps.policy);
    if (violation) {
      // The candidate is already in the spec: undone, so what the policy refuses never runs.
      const reason = `refused by fleetdeck's policy: ${violation}; baseline ${baseline} restored`;
      await this.record(agent, actor, SIGNALS.start, id, "rejected", reason);
      const {
        [SIGNAL_ANNOTATION]: _s,
        [SIGNAL_ID_ANNOTATION]: _i,
        ...kept
      } = agent.metadata.annotations ?? {};
      await this.deps.api.replaceSpec(
        { ...agent, metadata: { ...agent.metadata, annotations: kept } },
        baselineSpec,
        {
          cause: "restore",
          actor: "fleetdeck (config policy)",
          experimentId: id,
          hash: specHash(baselineSpec),
        },
      );
      return { status, restored: true };
    }
    const now = this.deps.now?.() ?? new Date();
    const experiment = startedExperiment(status, {
      id,
      expectedSpecHash: current.hash,
      now,
      timeoutSeconds: this.deps.defaultTimeoutSeconds,
      healthGate: this.deps.defaultHealthGate,
      startTaskID: agent.metadata.annotations?.[PENDING_TASK_ANNOTATION],
    });
    await this.deps.readModel.startExperiment(
      {
        agentKey: key,
        experimentId: id,
        actor,
        source: "annotation",
        config: createMergePatch(baselineSpec, current.defaulted) ?? {},
        timeoutSeconds: experiment.timeoutSeconds!,
        baselineRevision: baseline,
        candidateRevision: current.revision,
        startedAt: new Date(experiment.startedAt!),
        healthGate: experiment.healthGate!,
      },
      audit(actor, "experiment.started", key, {
        experimentId: id,
        baselineRevision: baseline,
        candidateRevision: current.revision,
        timeoutSeconds: experiment.timeoutSeconds,
        healthGate: experiment.healthGate,
        source: "annotation",
      }),
    );
    this.event(agent, {
      type: "Normal",
      reason: "ExperimentStarted",
      action: "StartExperiment",
      note: `Experiment ${id} started by ${actor}: candidate ${current.revision}, baseline ${baseline}, times out after ${experiment.timeoutSeconds} s`,
    });
    return { status: { ...status, experiment }, clearId: id, startedBy: actor };
  }

  /** A signal fleetdeck did not act on: an audit row, and a Warning Event when it was refused. */
  private async record(
    agent: DatadogAgent,
    actor: string,
    signal: string,
    id: string,
    outcome: "ignored" | "rejected",
    reason: string,
  ): Promise<void> {
    const key = `${agent.metadata.namespace}/${agent.metadata.name}`;
    await this.deps.readModel.audit(
      audit(actor, `experiment.signal-${outcome}`, key, {
        signal,
        experimentId: id,
        reason,
        source: "annotation",
      }),
    );
    if (outcome === "rejected") {
      this.event(agent, {
        type: "Warning",
        reason: "ExperimentSignalRejected",
        action: "Signal",
        note: `Signal ${signal} of experiment ${id} (${actor}) rejected: ${reason}`,
      });
    }
    this.deps.log.info({ key, signal, experimentId: id, outcome, reason }, "experiment signal not acted on");
  }

  private event(agent: DatadogAgent, input: Omit<EventInput, "regarding">): void {
    this.deps.events.record({ regarding: agentRef(agent), ...input });
  }
}
