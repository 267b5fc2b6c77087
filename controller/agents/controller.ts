// The DatadogAgent reconciler, level-triggered as controller-runtime's: reconcile(key) reads
// the agent from the shared informer's cache (never the event that woke it) and what fleetdeck
// keeps of it in its store, acts on an experiment signal annotation, runs the pure lifecycle
// step, then applies what it decided: record it in the store, restore a baseline, snapshot the
// revision, render the credentials Secret and the workloads, write the operator's status
// (status.experiment and fleetdeck's conditions), collect old revisions, and record it all in
// the read model with Events and audit rows. Everything it needs to carry on after a restart is
// in the status and the store (docs/experiments.md, "Where the state lives").
import {
  DEFAULT_EXPERIMENT_TIMEOUT_SECONDS,
  DEFAULT_HEALTH_GATE,
  type AgentStatus,
  type EndReason,
  type HealthGateSettings,
  type RevisionCause,
} from "../../lib/agents";
import { splitTarget } from "../../lib/commands";
import { mergeConditions, type Condition } from "../../lib/conditions";
import type { Experiment } from "../../lib/db/models";
import { createMergePatch, type Json, type JsonObject } from "../../lib/merge-patch";
import { redactText } from "../../lib/redact";
import { describeKubeError, statusCode, type KubeClient } from "../kube/client";
import type { EventInput, EventRecorder } from "../kube/events";
import type { Result } from "../kube/controller";
import type { Logger } from "../log";
import { agentRef, audit } from "./agent";
import type { AuditEntry } from "../store/audit";
import { changeCauseFor, outsideEditor, type AgentApi, type DatadogAgent } from "./api";
import {
  FLEETDECK_CONDITIONS,
  experimentCondition,
  reconciledCondition,
  unsupportedCondition,
} from "./conditions";
import {
  applyOwnedSecret,
  credentialsOf,
  credentialsSecretName,
  missingSecretRefs,
  ownedSecretFingerprint,
} from "./credentials";
import { applyDefaults } from "./defaults";
import { clusterExperiment, stepLifecycle, type LifecycleStep, type Transition } from "./experiment";
import type { GatePod } from "./health-gate";
import { hashDefaultedSpec, revisionName, specHash } from "./hash";
import { applyWorkloads, renderHashOf, renderWorkloads } from "./render";
import { experimentView, type AgentReadModel, type RevisionEntry } from "./read-model";
import { keepSet, loadRevisionSpec, RevisionUnavailable, type Revisions } from "./revisions";
import type { SignalAnnotations } from "./signal-annotations";
import { unsupportedFields } from "./support";

const RESTORE_SAFETY_REQUEUE_MS = 2_000;
/** While a referenced credentials Secret is missing, the agent is checked again this often. */
const MISSING_SECRET_REQUEUE_MS = 15_000;
/** Who rolls an experiment back when its health gate trips, or when it times out. */
export const HEALTH_GATE_ACTOR = "fleetdeck (health gate)";
export const TIMEOUT_ACTOR = "fleetdeck (timeout)";

export interface ReconcilerOptions {
  defaultTimeoutSeconds?: number;
  /** Used for an experiment whose status carries no health gate settings. */
  defaultHealthGate?: HealthGateSettings;
  /**
   * Every agent is reconciled at least this often; its workloads are then checked against the
   * live objects' render hashes (a deleted one is re-created) rather than re-applied.
   */
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
  /** The experiment signal annotations (the operator's); none: they are left alone. */
  signals?: SignalAnnotations;
  /** The pods of one of the agent's revisions (the rollout cache); none without it. */
  revisionPods?: (agent: DatadogAgent, hash: string) => GatePod[];
  /** The agent's workloads as the informers hold them (their render hashes); none: always applied. */
  liveWorkloads?: (agent: DatadogAgent) => { daemonSet?: unknown; deployment?: unknown };
}

/** What the render of one reconcile found: the Reconciled condition's input. */
interface RenderOutcome {
  /** Why the workloads could not be applied (RenderFailed), or null. */
  failed: string | null;
  /** Why the agent cannot get its keys (missing Secret, no key at all), one per problem. */
  credentials: string[];
  noApiKey: boolean;
  /** Why the Secret of its literal keys could not be written (another Secret has its name). */
  conflict: string | null;
}

export class AgentReconciler {
  private readonly defaultTimeoutSeconds: number;
  private readonly defaultHealthGate: HealthGateSettings;
  private readonly resyncMs: number;
  private readonly now: () => Date;
  /** Per agent: the last GC'd keep-set, the last applied render and owned Secret. */
  private readonly collected = new Map<string, string>();
  private readonly applied = new Map<string, { fingerprint: string; at: number }>();
  private readonly secrets = new Map<string, { fingerprint: string; at: number }>();
  /** Per agent: the last status patch sent, and the resourceVersion it was sent against. */
  private readonly sentStatus = new Map<string, { resourceVersion?: string; patch: string }>();
  /** Per agent: fleetdeck's state as of its last reconcile (the rollout read model reads it). */
  private readonly states = new Map<string, AgentStatus>();

  constructor(
    private readonly deps: ReconcilerDeps,
    options: ReconcilerOptions = {},
  ) {
    this.defaultTimeoutSeconds = options.defaultTimeoutSeconds ?? DEFAULT_EXPERIMENT_TIMEOUT_SECONDS;
    this.defaultHealthGate = options.defaultHealthGate ?? DEFAULT_HEALTH_GATE;
    this.resyncMs = options.resyncMs ?? 5 * 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** fleetdeck's state of an agent as of its last reconcile by this process. */
  state(key: string): AgentStatus | undefined {
    return this.states.get(key);
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
    const defaulted = applyDefaults(agent.spec);
    const hash = hashDefaultedSpec(defaulted);
    const revision = revisionName(name, hash);
    let { status: known, row } = await this.deps.readModel.state(
      key,
      agent.metadata.uid ?? "",
      agent.status?.experiment,
    );
    if (!known.currentRevision) known = { ...known, ...(await this.pointersFromCluster(agent)) };
    if (known.experiment?.phase === "running" && !row) ({ known, row } = await this.adopt(key, agent, known));

    // 1. A signal annotation first: explicit intent goes before the automatic timeout (upstream).
    const signal = await this.deps.signals?.process(agent, known, { defaulted, hash, revision });
    if (signal?.restored) return { requeueAfterMs: RESTORE_SAFETY_REQUEUE_MS };
    if (signal) known = signal.status;

    // 2. Idempotent create (numbered as the latest), as upstream on every reconcile.
    await this.deps.revisions.ensure(agent, revision, defaulted);
    const step = stepLifecycle(known, {
      revision,
      hash,
      now: this.now(),
      defaultTimeoutSeconds: this.defaultTimeoutSeconds,
      pods: known.experiment?.phase === "running" ? this.revisionPods(agent, hash) : [],
      defaultHealthGate: this.defaultHealthGate,
    });

    // 3. Decisions go to the store before the cluster, so a restart finishes them (a signal's
    //    is recorded already).
    const ends = new Map<string, { actor: string; detail: string }>();
    if (signal?.ended) ends.set(signal.ended.id, signal.ended);
    for (const t of step.transitions) {
      if (t.type === "candidate-landed" && t.id) {
        await this.deps.readModel.candidateLanded(key, t.id, this.now());
      } else if (t.type === "end-decided" && t.id) {
        const actor = this.endActor(t.end, agent, row);
        const end = { end: t.end, detail: t.detail, endedBy: actor };
        const about = { candidate: revision, baseline: known.experiment?.baselineRevision };
        if (!(await this.deps.readModel.decideEnd(key, t.id, end, decisionAudit(actor, key, t, about)))) {
          // Someone decided first (a stop meanwhile): start over from what was recorded.
          return { requeueAfterMs: 0 };
        }
        ends.set(t.id, { actor, detail: t.detail });
      }
    }
    let written = agent;
    if (step.restore) {
      const actor = ends.get(step.restore.id ?? "")?.actor ?? this.endActor(step.restore.end, agent, row);
      written = await this.restore(key, agent, step, actor);
    }

    // 4. What runs (a rollback reaches the pods sooner), then the status, then GC.
    const rendered = step.restore
      ? undefined
      : await this.render(key, agent, defaulted, { name: revision, hash });
    const ignored = unsupportedFields(agent.spec, agent.metadata.annotations);
    const conditions = this.conditions(agent, step, rendered, ignored, row, ends);
    // Only the fields fleetdeck writes, and only those present: an absent field is not a removal.
    const owned = (status: { experiment?: unknown; conditions?: unknown }) =>
      JSON.parse(JSON.stringify({ experiment: status.experiment, conditions: status.conditions })) as Json;
    const patch = createMergePatch(
      owned(agent.status ?? {}),
      owned({
        experiment: clusterExperiment(step.status.experiment) ?? agent.status?.experiment,
        conditions: mergeConditions(agent.status?.conditions, conditions, this.now()),
      }),
    );
    // The same patch against the same resourceVersion was sent already: the informer has not
    // shown that write yet (sent again, it would only meet a 409 and a retry).
    const sent = this.sentStatus.get(key);
    const repeat =
      patch !== undefined &&
      sent?.resourceVersion === written.metadata.resourceVersion &&
      sent?.patch === patchIdentity(patch);
    if (patch !== undefined && !repeat) {
      this.deps.log.debug({ key, patch }, "status patched");
      const basis = written.metadata.resourceVersion;
      written = await this.deps.api.patchStatus(written, patch);
      this.sentStatus.set(key, { resourceVersion: basis, patch: patchIdentity(patch) });
    }
    this.announceEnds(agent, step, row, ends);
    if (signal?.clearId) await this.deps.signals!.clear(written, signal.clearId);
    await this.collectGarbage(key, agent, step.status);
    await this.record(
      key,
      agent,
      step,
      { defaulted, hash, revision },
      rendered,
      { conditions, ignored },
      signal?.startedBy,
    );
    this.states.set(key, step.status);
    if (step.restore) return { requeueAfterMs: RESTORE_SAFETY_REQUEUE_MS };
    const waitForSecret =
      rendered && (rendered.credentials.length > 0 || rendered.conflict)
        ? MISSING_SECRET_REQUEUE_MS
        : Infinity;
    return { requeueAfterMs: Math.min(step.requeueAfterMs ?? Infinity, waitForSecret, this.resyncMs) };
  };

  private revisionPods(agent: DatadogAgent, hash: string): GatePod[] {
    return this.deps.revisionPods?.(agent, hash) ?? [];
  }

  /** Forgets what this process knew of an agent (it was deleted). */
  forget(key: string): void {
    this.collected.delete(key);
    this.applied.delete(key);
    this.secrets.delete(key);
    this.sentStatus.delete(key);
    this.states.delete(key);
    this.deps.signals?.forget(key);
  }

  /**
   * Revision pointers from the cluster alone, for an agent fleetdeck's store does not know yet
   * (a new store over an existing cluster): its ControllerRevisions' numbers, as a DaemonSet's.
   */
  private async pointersFromCluster(agent: DatadogAgent): Promise<AgentStatus> {
    const history = await this.deps.revisions.history(agent);
    const [previousRevision, currentRevision] =
      history.slice(-2).length === 2 ? history.slice(-2) : [undefined, history.at(-1)];
    return {
      ...(currentRevision ? { currentRevision } : {}),
      ...(previousRevision ? { previousRevision } : {}),
    };
  }

  /**
   * An experiment running in a status fleetdeck has no record of (started by the operator
   * before fleetdeck ran, or a new store): recorded with what the cluster tells, so its timeout
   * and health gate apply and it can be stopped or promoted.
   */
  private async adopt(
    key: string,
    agent: DatadogAgent,
    known: AgentStatus,
  ): Promise<{ known: AgentStatus; row: Experiment | null }> {
    const exp = known.experiment!;
    const id = exp.id ?? "";
    const startedAt = exp.startedAt ? new Date(exp.startedAt) : this.now();
    await this.deps.readModel.startExperiment(
      {
        agentKey: key,
        experimentId: id,
        actor: "unknown (found running, not started through fleetdeck)",
        source: "cluster",
        config: {},
        timeoutSeconds: this.defaultTimeoutSeconds,
        baselineRevision: known.previousRevision ?? "",
        candidateRevision: known.currentRevision ?? "",
        startedAt,
        landedAt: startedAt,
        healthGate: this.defaultHealthGate,
      },
      audit("fleetdeck", "experiment.adopted", key, {
        experimentId: id,
        baselineRevision: known.previousRevision,
      }),
    );
    const row = await this.deps.readModel.experimentRow(key, id);
    this.deps.log.info({ key, experimentId: id }, "running experiment without a record adopted");
    return { known: { ...known, experiment: experimentView(agent.metadata.name, exp, row) }, row };
  }

  /** Who ends an experiment: the stopping or promoting actor recorded, fleetdeck itself, or the outside editor. */
  private endActor(end: EndReason, agent: DatadogAgent, row: Experiment | null): string {
    if (end === "timed_out") return TIMEOUT_ACTOR;
    if (end === "unhealthy") return HEALTH_GATE_ACTOR;
    if (end === "conflict") return outsideEditor(agent);
    return row?.endedBy ?? "unknown";
  }

  /**
   * Writes the baseline spec back for an experiment ending by a rollback (a stop, its timeout or
   * its health gate), attributed by the change-cause annotation so a restart recognises it.
   */
  private async restore(
    key: string,
    agent: DatadogAgent,
    step: LifecycleStep,
    actor: string,
  ): Promise<DatadogAgent> {
    const { revision: baseline, end, id } = step.restore!;
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
    const cause: RevisionCause = end === "timed_out" ? "timeout" : "rollback";
    const written =
      specHash(agent.spec) === specHash(spec)
        ? agent
        : await this.deps.api.replaceSpec(agent, spec, {
            cause,
            actor,
            experimentId: id,
            hash: specHash(spec),
          });
    this.deps.log.info({ key, experimentId: id, end, baseline }, "baseline restored");
    return written;
  }

  /** Events for experiments whose end the status now shows (after its write succeeded). */
  private announceEnds(
    agent: DatadogAgent,
    step: LifecycleStep,
    row: Experiment | null,
    ends: Map<string, { actor: string; detail: string }>,
  ): void {
    for (const t of step.transitions) {
      if (t.type !== "ended") continue;
      const id = t.id ?? "?";
      const decided = ends.get(t.id ?? "");
      const actor = decided?.actor ?? row?.endedBy ?? "unknown";
      const detail = redactText(decided?.detail ?? row?.reason ?? "");
      const restored = t.baseline ? `; baseline ${t.baseline} restored` : "";
      // The candidate: still the current spec while it is being restored, the previous once done.
      const candidate = step.restore ? step.status.currentRevision : step.status.previousRevision;
      const notes: Record<EndReason, Omit<EventInput, "regarding">> = {
        stopped: {
          type: "Normal",
          reason: "ExperimentRolledBack",
          action: "Rollback",
          note: `Experiment ${id} rolled back: ${detail}${restored}`,
        },
        timed_out: {
          type: "Warning",
          reason: "ExperimentTimedOut",
          action: "Rollback",
          note: `Experiment ${id} ${detail}${restored} (actor: ${actor})`,
        },
        unhealthy: {
          type: "Warning",
          reason: "ExperimentUnhealthy",
          action: "Rollback",
          note: `Experiment ${id} rolled back to ${t.baseline ?? "its baseline"}: candidate ${candidate ?? "?"} is ${detail}`,
        },
        conflict: {
          type: "Warning",
          reason: "ExperimentAborted",
          action: "Abort",
          note: `Experiment ${id} aborted: ${detail} (edited by: ${actor}). The spec is left as edited.`,
        },
        promoted: {
          type: "Normal",
          reason: "ExperimentPromoted",
          action: "PromoteExperiment",
          note: `Experiment ${id} ${detail}`,
        },
      };
      this.event(agent, notes[t.end]);
    }
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

  /**
   * Renders what runs: the Secret holding literal keys, then the workloads (both skipped while
   * unchanged: the Secret re-applied every resync, a workload only when its live render hash
   * differs); then whether the Secrets the agent reads exist.
   */
  private async render(
    key: string,
    agent: DatadogAgent,
    spec: JsonObject,
    revision: { name: string; hash: string },
  ): Promise<RenderOutcome> {
    const credentials = credentialsOf(agent.metadata.name, spec);
    const outcome: RenderOutcome = {
      failed: null,
      credentials: [],
      noApiKey: !credentials.apiKey,
      conflict: null,
    };
    const rendered = renderWorkloads(agent, spec, revision);
    if (!rendered.ok) {
      outcome.failed = this.renderFailed(agent, rendered.problems.join("; "));
      return outcome;
    }
    try {
      if (credentials.owned) outcome.conflict = await this.applySecret(key, agent, credentials.owned);
      // Applied by this process within a resync: skipped without a look (the informer may not
      // show that write yet). Otherwise the live objects' render hashes decide (a restart, a
      // resync, a new render).
      const { daemonSet, deployment } = rendered.workloads;
      const fingerprint = `${renderHashOf(daemonSet)}/${renderHashOf(deployment)}`;
      const last = this.applied.get(key);
      if (last?.fingerprint !== fingerprint || Date.now() - last.at >= this.resyncMs) {
        const live = this.deps.liveWorkloads?.(agent) ?? {};
        const count = await applyWorkloads(this.deps.client, rendered.workloads, live);
        if (count > 0) this.deps.log.debug({ key, applied: count }, "workloads applied");
        this.applied.set(key, { fingerprint, at: Date.now() });
      }
    } catch (error) {
      const code = statusCode(error);
      // The API server refused what was rendered (invalid values): report it, keep reconciling.
      if (code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429) {
        outcome.failed = this.renderFailed(agent, describeKubeError(error));
        return outcome;
      }
      throw error;
    }
    const owned = credentialsSecretName(agent.metadata.name);
    const refs = [credentials.apiKey, credentials.appKey].filter(
      (r): r is NonNullable<typeof r> => r !== undefined && r.name !== owned,
    );
    outcome.credentials = await missingSecretRefs(this.deps.client, agent.metadata.namespace!, refs);
    const problems = [...(outcome.conflict ? [outcome.conflict] : []), ...outcome.credentials];
    if (problems.length > 0) {
      this.event(agent, {
        type: "Warning",
        reason: "CredentialsMissing",
        action: "Render",
        note: `The agents cannot start: ${problems.join("; ")}`,
      });
    }
    return outcome;
  }

  /** The Secret of the agent's literal keys, applied when its data changed (or every resync). */
  private async applySecret(
    key: string,
    agent: DatadogAgent,
    data: Record<string, string>,
  ): Promise<string | null> {
    const fingerprint = ownedSecretFingerprint(data);
    const last = this.secrets.get(key);
    if (last?.fingerprint === fingerprint && Date.now() - last.at < this.resyncMs) return null;
    const conflict = await applyOwnedSecret(this.deps.client, agent, data);
    if (!conflict) this.secrets.set(key, { fingerprint, at: Date.now() });
    return conflict;
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

  /** fleetdeck's conditions for this reconcile (the Reconciled one only when it rendered). */
  private conditions(
    agent: DatadogAgent,
    step: LifecycleStep,
    rendered: RenderOutcome | undefined,
    ignored: string[],
    row: Experiment | null,
    ends: Map<string, { actor: string; detail: string }>,
  ): Condition[] {
    const generation = agent.metadata.generation ?? 0;
    const conditions: Condition[] = [unsupportedCondition(ignored, generation)];
    if (rendered) {
      conditions.push(
        reconciledCondition(
          {
            revision: step.status.currentRevision ?? "",
            failed: rendered.failed,
            credentials: rendered.credentials,
            noApiKey: rendered.noApiKey,
            conflict: rendered.conflict,
          },
          generation,
        ),
      );
    } else {
      const kept = agent.status?.conditions?.find((c) => c.type === FLEETDECK_CONDITIONS.reconciled);
      if (kept) conditions.push(kept);
    }
    const exp = step.status.experiment;
    if (exp) {
      const detail = ends.get(exp.id ?? "")?.detail ?? row?.reason ?? null;
      conditions.push(experimentCondition(exp, detail, generation));
    }
    return conditions;
  }

  /** The read model, Events and audit rows for what this reconcile changed. */
  private async record(
    key: string,
    agent: DatadogAgent,
    step: LifecycleStep,
    current: { defaulted: JsonObject; hash: string; revision: string },
    rendered: RenderOutcome | undefined,
    shown: { conditions: Condition[]; ignored: string[] },
    startedBy: string | undefined,
  ): Promise<void> {
    const changed = step.transitions.some((t: Transition) => t.type === "revision-changed");
    const revisionEntry: RevisionEntry | undefined = changed
      ? {
          agentKey: key,
          name: current.revision,
          hash: current.hash,
          spec: current.defaulted,
          ...this.attribute(agent, current.hash, step, startedBy),
        }
      : undefined;
    await this.deps.readModel.syncAgent(
      {
        key,
        namespace: agent.metadata.namespace!,
        name: agent.metadata.name,
        uid: agent.metadata.uid ?? "",
        generation: agent.metadata.generation ?? 0,
        labels: agent.metadata.labels ?? {},
        spec: (agent.spec ?? {}) as Json,
        status: step.status,
        renderError: rendered?.failed ?? null,
        conditions: shown.conditions,
        ignoredFields: shown.ignored,
      },
      { revision: revisionEntry },
    );
  }

  /** Why the current revision changed: fleetdeck's own write, the running experiment, or an outside edit. */
  private attribute(
    agent: DatadogAgent,
    hash: string,
    step: LifecycleStep,
    startedBy: string | undefined,
  ): { cause: RevisionCause; actor: string; experimentId?: string | null } {
    const cause = changeCauseFor(agent, hash);
    if (cause) return { cause: cause.cause, actor: cause.actor, experimentId: cause.experimentId ?? null };
    const landed = step.transitions.find((t) => t.type === "candidate-landed");
    if (landed) {
      // The experiment's change, written by another client (a signal annotation carries its config).
      return {
        cause: "experiment-start",
        actor: startedBy ?? "unknown (not started through fleetdeck)",
        experimentId: landed.id ?? null,
      };
    }
    return { cause: "user-edit", actor: outsideEditor(agent) };
  }

  private event(agent: DatadogAgent, input: Omit<EventInput, "regarding">): void {
    this.deps.events.record({ regarding: agentRef(agent), ...input });
  }
}

/** A status patch without its conditions' transition times (a second later they differ). */
function patchIdentity(patch: Json): string {
  return JSON.stringify(patch, (key, value: unknown) => (key === "lastTransitionTime" ? undefined : value));
}

/** The audit row of an end fleetdeck decided by itself (timeout, health gate, conflict). */
function decisionAudit(
  actor: string,
  key: string,
  t: Extract<Transition, { type: "end-decided" }>,
  about: { candidate: string; baseline?: string },
): AuditEntry {
  const action =
    { timed_out: "experiment.timed-out", unhealthy: "experiment.unhealthy", conflict: "experiment.aborted" }[
      t.end as "timed_out" | "unhealthy" | "conflict"
    ] ?? `experiment.${t.end}`;
  return audit(actor, action, key, {
    experimentId: t.id,
    candidateRevision: about.candidate,
    baselineRevision: about.baseline,
    reason: t.detail,
    ...(t.verdict
      ? { failingPods: t.verdict.failing.map((p) => ({ name: p.name, node: p.node, reason: p.reason })) }
      : {}),
  });
}
