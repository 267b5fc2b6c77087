// The DatadogAgent reconciler, level-triggered as controller-runtime's: reconcile(key) reads
// the agent from the shared informer's cache (never the event that woke it), runs the pure
// lifecycle step, then applies what it decided: restore a baseline, snapshot the revision,
// collect old revisions, render the workloads, write the status, and record it all in SQLite
// with Events and audit rows. Everything it needs to carry on after a restart is in the status.
import {
  DEFAULT_EXPERIMENT_TIMEOUT_SECONDS,
  DEFAULT_HEALTH_GATE,
  type AgentStatus,
  type ExperimentStatus,
  type HealthGateSettings,
  type RevisionCause,
} from "../../lib/agents";
import { splitTarget } from "../../lib/commands";
import { canonicalJson, createMergePatch, type Json, type JsonObject } from "../../lib/merge-patch";
import { describeKubeError, statusCode, type KubeClient } from "../kube/client";
import type { EventInput, EventRecorder } from "../kube/events";
import type { Result } from "../kube/controller";
import type { Logger } from "../log";
import { agentRef, audit, ownStatus } from "./agent";
import { changeCauseFor, outsideEditor, type AgentApi, type DatadogAgent } from "./api";
import { applyDefaults } from "./defaults";
import { healthGateOf, stepLifecycle, timeoutSecondsOf, type LifecycleStep } from "./experiment";
import { evaluateGate, type GatePod, type GateVerdict } from "./health-gate";
import { hashDefaultedSpec, revisionName, specHash } from "./hash";
import { applyWorkloads, renderWorkloads } from "./render";
import { keepSet, loadRevisionSpec, RevisionUnavailable, type Revisions } from "./revisions";
import type { AgentReadModel, RevisionEntry } from "./read-model";

const RESTORE_SAFETY_REQUEUE_MS = 2_000;
/** Who rolls an experiment back when its health gate trips. */
export const HEALTH_GATE_ACTOR = "fleetdeck (health gate)";

export interface ReconcilerOptions {
  defaultTimeoutSeconds?: number;
  /** Used for an experiment whose status carries no health gate settings. */
  defaultHealthGate?: HealthGateSettings;
  /** Workloads are re-applied at least this often even when nothing changed (drift repair). */
  resyncMs?: number;
  now?: () => Date;
}

export interface ReconcilerDeps {
  client: KubeClient;
  /** The agent as the shared informer currently holds it (undefined: gone). */
  cached: (key: string) => DatadogAgent | undefined;
  api: AgentApi;
  revisions: Revisions;
  readModel: AgentReadModel;
  events: EventRecorder;
  log: Logger;
  /** The pods of one of the agent's revisions (the rollout cache); none without it. */
  revisionPods?: (agent: DatadogAgent, hash: string) => GatePod[];
}

export class AgentReconciler {
  private readonly defaultTimeoutSeconds: number;
  private readonly defaultHealthGate: HealthGateSettings;
  private readonly resyncMs: number;
  private readonly now: () => Date;
  /** Per agent: the last GC'd keep-set and the last applied render. */
  private readonly collected = new Map<string, string>();
  private readonly applied = new Map<string, { fingerprint: string; at: number }>();

  constructor(
    private readonly deps: ReconcilerDeps,
    options: ReconcilerOptions = {},
  ) {
    this.defaultTimeoutSeconds = options.defaultTimeoutSeconds ?? DEFAULT_EXPERIMENT_TIMEOUT_SECONDS;
    this.defaultHealthGate = options.defaultHealthGate ?? DEFAULT_HEALTH_GATE;
    this.resyncMs = options.resyncMs ?? 5 * 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Reads the agent from the informer's cache, as controller-runtime does: it is current as of
   * the watch event that queued the key. A write based on a stale read fails with 409 and is
   * retried by the queue.
   */
  readonly reconcile = async (key: string): Promise<Result> => {
    const name = splitTarget(key).name;
    const agent = this.deps.cached(key);
    if (!agent || agent.metadata.deletionTimestamp) {
      this.forget(key);
      await this.deps.readModel.markDeleted(key);
      return;
    }
    const status = ownStatus(agent.status);
    const defaulted = applyDefaults(agent.spec);
    const hash = hashDefaultedSpec(defaulted);
    const revision = revisionName(name, hash);
    const step = stepLifecycle(status, {
      revision,
      hash,
      now: this.now(),
      defaultTimeoutSeconds: this.defaultTimeoutSeconds,
      pods: status.experiment?.phase === "running" ? this.revisionPods(agent, hash) : [],
      defaultHealthGate: this.defaultHealthGate,
    });
    const current = { key, agent, status, defaulted, hash, revision, step };

    // Idempotent create, as upstream on every reconcile (free when the cache has it).
    await this.deps.revisions.ensure(agent, revision, defaulted);
    if (step.restore) return this.restore(current);

    // What runs first (a rollback reaches the pods sooner), then the status, then GC.
    const next: AgentStatus = { ...step.status, observedGeneration: agent.metadata.generation };
    const renderError = await this.render(key, agent, defaulted, { name: revision, hash });
    const patch = createMergePatch(status, next);
    if (patch !== undefined) await this.deps.api.patchStatus(agent, patch);
    await this.collectGarbage(key, agent, next);

    await this.record(current, next, renderError);
    return { requeueAfterMs: Math.min(step.requeueAfterMs ?? Infinity, this.resyncMs) };
  };

  private revisionPods(agent: DatadogAgent, hash: string): GatePod[] {
    return this.deps.revisionPods?.(agent, hash) ?? [];
  }

  /** Forgets what this process knew of an agent (it was deleted). */
  forget(key: string): void {
    this.collected.delete(key);
    this.applied.delete(key);
  }

  /**
   * Restore for a stop (rollback) or a timeout: write the baseline spec, then the terminal
   * status {phase, id} without the baseline (upstream's two-reconcile pattern: the terminal
   * phase stays visible until the next reconcile clears it). That next reconcile is queued by
   * the watch event of the status write, so it reads the cache with both writes in it; the
   * requeue is a safety net.
   */
  private async restore(current: Current): Promise<Result> {
    const { key, agent, step } = current;
    const { revision: baseline, phase, id } = step.restore!;
    const spec = await loadRevisionSpec(this.deps, agent, baseline).catch((error: Error) => {
      if (error instanceof RevisionUnavailable) {
        this.event(agent, {
          type: "Warning",
          reason: "RestoreFailed",
          action: "Rollback",
          note: `Experiment ${id ?? "?"}: cannot restore the baseline: ${error.message}`,
        });
      }
      throw error;
    });
    const cause: RevisionCause = phase;
    const exp = current.status.experiment ?? {};
    const unhealthy = phase === "rollback" && exp.reason === "unhealthy";
    if (unhealthy && id) {
      // Recorded when the gate tripped; a controller stopped right after its status write
      // records it here instead, before the candidate's pods go.
      const verdict = evaluateGate(
        this.revisionPods(agent, current.hash),
        healthGateOf(exp, this.defaultHealthGate),
        this.now(),
      );
      await this.recordUnhealthy(current, id, baseline, verdict);
    }
    const actor =
      phase === "timeout"
        ? "fleetdeck (timeout)"
        : unhealthy
          ? HEALTH_GATE_ACTOR
          : ((id && (await this.deps.readModel.stoppedBy(key, id))) ?? "unknown (stop signal)");
    let written = agent;
    if (specHash(agent.spec) !== specHash(spec)) {
      written = await this.deps.api.replaceSpec(agent, spec, {
        cause,
        actor,
        experimentId: id,
        hash: specHash(spec),
      });
    }
    const next: AgentStatus = { ...step.status, observedGeneration: written.metadata.generation };
    const patch = createMergePatch(current.status, next);
    if (patch !== undefined) await this.deps.api.patchStatus(written, patch);

    this.deps.log.info({ key, experimentId: id, phase, baseline, unhealthy }, "baseline restored");
    if (unhealthy) return { requeueAfterMs: RESTORE_SAFETY_REQUEUE_MS };
    const timeoutSeconds = timeoutSecondsOf(exp, this.defaultTimeoutSeconds);
    const reason =
      phase === "timeout"
        ? `timed out after ${timeoutSeconds} s without a promote; baseline ${baseline} restored`
        : `stopped by ${actor}; baseline ${baseline} restored`;
    this.event(agent, {
      type: phase === "timeout" ? "Warning" : "Normal",
      reason: phase === "timeout" ? "ExperimentTimedOut" : "ExperimentRolledBack",
      action: "Rollback",
      note: `Experiment ${id ?? "?"} ${phase === "timeout" ? "timed out" : "rolled back"}: ${reason} (actor: ${actor})`,
    });
    if (id) {
      await this.deps.readModel.endExperiment(
        key,
        id,
        { phase, outcome: phase === "timeout" ? "timed-out" : "rolled-back", reason, endedBy: actor },
        audit(actor, phase === "timeout" ? "experiment.timed-out" : "experiment.rolled-back", key, {
          experimentId: id,
          baselineRevision: baseline,
          reason,
        }),
      );
    }
    return { requeueAfterMs: RESTORE_SAFETY_REQUEUE_MS };
  }

  /**
   * The health gate's decision, recorded once (the experiment row ends, an audit row, a Warning
   * Event naming the failing pods): the row's end is the record, so a second call after a
   * restart finds it ended and emits nothing.
   */
  private async recordUnhealthy(
    current: Pick<Current, "key" | "agent" | "revision">,
    id: string,
    baseline: string | undefined,
    verdict: GateVerdict,
  ): Promise<void> {
    const { key, agent, revision } = current;
    const reason = `unhealthy: ${verdict.summary}`;
    const recorded = await this.deps.readModel.endExperimentOnce(
      key,
      id,
      { phase: "rollback", outcome: "rolled-back", reason, endedBy: HEALTH_GATE_ACTOR },
      audit(HEALTH_GATE_ACTOR, "experiment.unhealthy", key, {
        experimentId: id,
        candidateRevision: revision,
        baselineRevision: baseline,
        failingPods: verdict.failing.map((p) => ({ name: p.name, node: p.node, reason: p.reason })),
        reason,
      }),
    );
    if (!recorded) return;
    this.event(agent, {
      type: "Warning",
      reason: "ExperimentUnhealthy",
      action: "Rollback",
      note: `Experiment ${id} rolled back to ${baseline ?? "its baseline"}: candidate ${revision} is ${reason}`,
    });
    this.deps.log.warn({ key, experimentId: id, failing: verdict.failing.length }, "experiment unhealthy");
  }

  /** GC when the keep-set changed since the last collection (and once per agent per process). */
  private async collectGarbage(key: string, agent: DatadogAgent, status: AgentStatus): Promise<void> {
    const keep = keepSet(status);
    const fingerprint = [...keep].sort().join(",");
    if (this.collected.get(key) === fingerprint) return;
    const { deleted, kept } = await this.deps.revisions.garbageCollect(agent, keep);
    await this.deps.readModel.setInCluster(key, deleted, false);
    await this.deps.readModel.setInCluster(key, kept, true);
    this.collected.set(key, fingerprint);
  }

  /** Renders and applies the workloads; returns the reason they could not be, or null. */
  private async render(
    key: string,
    agent: DatadogAgent,
    spec: JsonObject,
    revision: { name: string; hash: string },
  ): Promise<string | null> {
    const rendered = renderWorkloads(agent, spec, revision);
    if (!rendered.ok) return this.renderFailed(agent, rendered.problems.join("; "));
    const fingerprint = canonicalJson(rendered.workloads);
    const last = this.applied.get(key);
    if (last?.fingerprint === fingerprint && Date.now() - last.at < this.resyncMs) return null;
    try {
      await applyWorkloads(this.deps.client, rendered.workloads);
    } catch (error) {
      const code = statusCode(error);
      // The API server refused the workloads (invalid values): report it, keep reconciling.
      if (code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429) {
        return this.renderFailed(agent, describeKubeError(error));
      }
      throw error;
    }
    this.applied.set(key, { fingerprint, at: Date.now() });
    return null;
  }

  private renderFailed(agent: DatadogAgent, message: string): string {
    this.event(agent, {
      type: "Warning",
      reason: "RenderFailed",
      action: "Render",
      note: `The agent workloads could not be applied: ${message}`,
    });
    return message;
  }

  /** The read model, Events and audit rows for what this reconcile changed. */
  private async record(current: Current, next: AgentStatus, renderError: string | null): Promise<void> {
    const { key, agent, step, defaulted, hash, revision } = current;
    let revisionEntry: RevisionEntry | undefined;
    for (const t of step.transitions) {
      if (t.type === "revision-changed") {
        revisionEntry = {
          agentKey: key,
          name: revision,
          hash,
          spec: defaulted,
          ...this.attribute(agent, hash, current.status.experiment),
        };
      } else if (t.type === "unhealthy" && t.id) {
        await this.recordUnhealthy(current, t.id, current.status.experiment?.baselineRevision, t.verdict);
      } else if (t.type === "aborted") {
        const actor = outsideEditor(agent);
        this.event(agent, {
          type: "Warning",
          reason: "ExperimentAborted",
          action: "Abort",
          note: `Experiment ${t.id ?? "?"} aborted: ${t.reason} (edited by: ${actor}). The spec is left as edited.`,
        });
        if (t.id) {
          await this.deps.readModel.endExperiment(
            key,
            t.id,
            { phase: "aborted", outcome: "aborted", reason: t.reason, endedBy: actor },
            audit(actor, "experiment.aborted", key, { experimentId: t.id, reason: t.reason }),
          );
        }
      }
    }
    // Idempotent, so a row written after the clock started (or a crash) still gets its start time.
    const exp = next.experiment;
    if (exp?.phase === "running" && exp.id && exp.startedAt) {
      await this.deps.readModel.experimentStarted(key, exp.id, new Date(exp.startedAt));
    }
    await this.deps.readModel.syncAgent(
      {
        key,
        namespace: agent.metadata.namespace!,
        name: agent.metadata.name,
        uid: agent.metadata.uid ?? "",
        generation: agent.metadata.generation ?? 0,
        labels: agent.metadata.labels ?? {},
        spec: (agent.spec ?? {}) as Json,
        status: next,
        renderError,
      },
      { revision: revisionEntry },
    );
  }

  /** Why the current revision changed: fleetdeck's own write, the running experiment, or an outside edit. */
  private attribute(
    agent: DatadogAgent,
    hash: string,
    experiment: ExperimentStatus | undefined,
  ): { cause: RevisionCause; actor: string; experimentId?: string | null } {
    const cause = changeCauseFor(agent, hash);
    if (cause) return { cause: cause.cause, actor: cause.actor, experimentId: cause.experimentId ?? null };
    if (experiment?.phase === "running" && experiment.expectedSpecHash === hash) {
      // The experiment's change without fleetdeck's annotation: started by another client.
      return {
        cause: "experiment-start",
        actor: "unknown (not started through fleetdeck)",
        experimentId: experiment.id ?? null,
      };
    }
    return { cause: "user-edit", actor: outsideEditor(agent) };
  }

  private event(agent: DatadogAgent, input: Omit<EventInput, "regarding">): void {
    this.deps.events.record({ regarding: agentRef(agent), ...input });
  }
}

interface Current {
  key: string;
  agent: DatadogAgent;
  status: AgentStatus;
  defaulted: JsonObject;
  hash: string;
  revision: string;
  step: LifecycleStep;
}
