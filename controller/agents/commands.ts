// Command handlers for start/stop/promote-experiment and restore-revision: the dashboard and the
// Remote Config signal (POST /api/signals) both arrive here as Commands (the operator's signal
// annotations go through signal-annotations.ts, on the same rules). Each re-reads the
// DatadogAgent and what fleetdeck keeps of it, decides with the pure guards of
// lib/experiments.ts, and writes with the resourceVersion it read (a 409 is retried from a fresh
// read); a stop or promote is a decision the reconcile carries out (experiment-actions.ts). Nothing is dropped silently: a
// stale or mismatched stop/promote ends `ignored` with its reason; a refusal is a
// CommandRejected with a message for the user.
//
// A command that times out is rejected by the consumer at once, while its handler may still be
// waiting on the API server: every handler checks its signal right before each write
// (`ctx.signal.throwIfAborted()`), so nothing new is written once the user was told "rejected".
// Only compensations (putting a status back, forgetting an experiment row) still run, and the
// audit of a write that had already landed.
import { literalSecretPaths, type AgentStatus, type HealthGateSettings } from "../../lib/agents";
import { splitTarget, type CommandPayload } from "../../lib/commands";
import { canRestore, canStart } from "../../lib/experiments";
import { applyMergePatch, createMergePatch, type Json } from "../../lib/merge-patch";
import { CommandRejected, type CommandContext, type CommandOutcome } from "../commands/registry";
import { describeKubeError, isConflict, statusCode } from "../kube/client";
import { Conflict, ConflictRetriesExhausted, retryOnConflict } from "../kube/retry";
import type { EventInput, EventRecorder } from "../kube/events";
import { agentRef, audit } from "./agent";
import type { AgentApi, DatadogAgent } from "./api";
import { policyViolation, type ConfigPolicy } from "./config-policy";
import { applyDefaults } from "./defaults";
import { clusterExperiment, startedExperiment } from "./experiment";
import { requestEnd, type ActionDeps } from "./experiment-actions";
import { hashOfRevisionName, revisionName, specHash } from "./hash";
import { loadRevisionSpec, RevisionUnavailable, type Revisions } from "./revisions";
import type { AgentReadModel } from "./read-model";

export interface HandlerDeps extends ActionDeps {
  api: Pick<AgentApi, "get" | "replaceSpec" | "patchStatus">;
  revisions: Revisions;
  readModel: AgentReadModel;
  events: Pick<EventRecorder, "record">;
  /** The health gate of an experiment started without settings (a signal always is). */
  defaultHealthGate: HealthGateSettings;
  /** What a new spec may bring in (images, Secret references, destinations of the agents' data). */
  policy: ConfigPolicy;
  /** Queues the agent's reconcile, which carries out a decided stop or promote at once. */
  reconcileSoon: (target: string) => void;
}

/** A read-modify-write of the DatadogAgent, run again from a fresh read after a conflict. */
async function retryCommand<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await retryOnConflict(attempt);
  } catch (error) {
    if (!(error instanceof ConflictRetriesExhausted)) throw error;
    throw new CommandRejected(
      `the DatadogAgent kept changing while this command was applied (${error.attempts} conflicts); try again`,
    );
  }
}

/** An API refusal (4xx other than conflicts) becomes a rejection with the server's words. */
function rejectApiError(error: unknown, what: string): never {
  const code = statusCode(error);
  if (code !== undefined && code >= 400 && code < 500 && code !== 409) {
    throw new CommandRejected(`${what}: ${describeKubeError(error)}`);
  }
  throw error;
}

async function readAgent(api: HandlerDeps["api"], target: string): Promise<DatadogAgent> {
  const { namespace, name } = splitTarget(target);
  const agent = await api.get(namespace, name);
  if (!agent) throw new CommandRejected(`DatadogAgent ${target} does not exist`);
  return agent;
}

/** What fleetdeck knows of the agent: revision pointers and the experiment (status and store). */
async function stateOf(readModel: HandlerDeps["readModel"], agent: DatadogAgent): Promise<AgentStatus> {
  const key = `${agent.metadata.namespace}/${agent.metadata.name}`;
  return (await readModel.state(key, agent.metadata.uid ?? "", agent.status?.experiment)).status;
}

/** "health gate: rolled back when more than 10 % of the candidate's pods are unavailable for 120 s". */
function gateText(gate: HealthGateSettings): string {
  const rule = `more than ${gate.thresholdPercent} % of the candidate's pods are unavailable for ${gate.graceSeconds} s`;
  return gate.enabled ? `health gate: rolled back when ${rule}` : `health gate off: reported when ${rule}`;
}

export function agentHandlers(deps: HandlerDeps) {
  const { api, readModel, events } = deps;
  /** Refuses a spec that brings in an image, a Secret reference or a destination the policy does not allow. */
  const checkPolicy = (spec: unknown, agent: DatadogAgent) => {
    const violation = policyViolation(spec, agent.spec ?? {}, deps.policy);
    if (violation) throw new CommandRejected(`refused by fleetdeck's policy: ${violation}`);
  };
  const event = (agent: DatadogAgent, input: Omit<EventInput, "regarding">) =>
    events.record({ regarding: agentRef(agent), ...input });

  /**
   * Stop and promote act only on the running experiment of that id (otherwise: ignored, with
   * why); the decision is recorded, and the reconcile carries it out in the cluster at once.
   */
  async function endExperiment(
    action: "stop" | "promote",
    id: string,
    ctx: CommandContext,
  ): Promise<CommandOutcome> {
    const agent = await readAgent(api, ctx.target);
    ctx.signal.throwIfAborted();
    const outcome = await requestEnd(deps, agent, await stateOf(readModel, agent), {
      action,
      id,
      actor: ctx.actor,
      commandId: ctx.id,
      source: ctx.source,
    });
    if (outcome.status === "rejected") throw new CommandRejected(outcome.message);
    if (outcome.status === "ignored") return outcome;
    deps.reconcileSoon(ctx.target);
    return { status: "applied", message: outcome.message, details: outcome.details };
  }

  async function startExperiment(
    payload: CommandPayload<"start-experiment">,
    ctx: CommandContext,
  ): Promise<CommandOutcome> {
    const secrets = literalSecretPaths(payload.config);
    if (secrets.length > 0) {
      throw new CommandRejected(
        `the config holds a literal secret at ${secrets.join(", ")}: reference a Secret with valueFrom.secretKeyRef instead`,
      );
    }
    const id = payload.experimentId;
    return retryCommand(async () => {
      const agent = await readAgent(api, ctx.target);
      const status = await stateOf(readModel, agent);
      const guard = canStart(status, id);
      if (!guard.ok) throw new CommandRejected(guard.reason);

      const merged = applyMergePatch(agent.spec ?? {}, payload.config);
      const expectedSpecHash = specHash(merged);
      const candidate = revisionName(agent.metadata.name, expectedSpecHash);
      const retry = status.experiment?.phase === "running";
      // The baseline is the spec the agent has now: the store's pointer may lag it by a reconcile
      // (a restore just written), and a rollback must bring back what ran before, not older.
      const current = revisionName(agent.metadata.name, specHash(agent.spec));
      if (!retry && candidate === current) {
        throw new CommandRejected(
          `the config changes nothing: the candidate spec is the current revision ${current}`,
        );
      }
      const cause = {
        cause: "experiment-start" as const,
        actor: ctx.actor,
        experimentId: id,
        hash: expectedSpecHash,
      };
      // The API server validates the candidate first, so a bad config changes nothing at all.
      await api
        .replaceSpec(agent, merged, cause, { dryRun: true })
        .catch((error) => rejectApiError(error, "the API server rejected the candidate spec"));
      // What the candidate brings in (images, Secret references) once it is a valid spec at all.
      checkPolicy(merged, agent);

      // Its ControllerRevision exists before the experiment can need it (already, once reconciled).
      ctx.signal.throwIfAborted();
      if (!retry) await deps.revisions.ensure(agent, current, applyDefaults(agent.spec));
      const started = startedExperiment(retry ? status : { ...status, currentRevision: current }, {
        id,
        expectedSpecHash,
        now: new Date(),
        timeoutSeconds: payload.timeoutSeconds ?? deps.defaultTimeoutSeconds,
        healthGate: { ...deps.defaultHealthGate, ...payload.healthGate },
      });
      const baseline = started.baselineRevision!;
      const timeoutSeconds = started.timeoutSeconds!;
      const gate = started.healthGate!;
      ctx.signal.throwIfAborted();
      await readModel.startExperiment({
        agentKey: ctx.target,
        experimentId: id,
        actor: ctx.actor,
        source: ctx.source,
        config: payload.config as Json,
        timeoutSeconds,
        baselineRevision: baseline,
        candidateRevision: candidate,
        startedAt: new Date(started.startedAt!),
        healthGate: gate,
      });
      // Status first, then the spec: the reconcile that sees the new spec already knows it is
      // the experiment's (its store row expects the candidate's hash).
      const before = { experiment: agent.status?.experiment ?? null };
      try {
        ctx.signal.throwIfAborted();
        const withStatus = await api.patchStatus(
          agent,
          createMergePatch(before as Json, { experiment: clusterExperiment(started) } as Json) ?? {},
        );
        try {
          ctx.signal.throwIfAborted();
          await api.replaceSpec(withStatus, merged, cause);
        } catch (error) {
          if (isConflict(error)) throw new Conflict();
          // Put the status back, so the agent is not left "running" an experiment that never ran.
          const revert = createMergePatch(
            { experiment: withStatus.status?.experiment ?? null } as Json,
            before as Json,
          );
          if (revert !== undefined) await api.patchStatus(withStatus, revert).catch(() => undefined);
          rejectApiError(error, "the candidate spec could not be written; the experiment was not started");
        }
      } catch (error) {
        // A conflict is retried from a fresh read, which finds this start's status and row and
        // carries on (a retry of the same start); anything else: the start did not happen.
        if (!retry && !(error instanceof Conflict)) await readModel.forgetExperiment(ctx.target, id);
        throw error;
      }
      await readModel.audit({
        ...audit(ctx.actor, "experiment.started", ctx.target, {
          experimentId: id,
          baselineRevision: baseline,
          candidateRevision: candidate,
          timeoutSeconds,
          healthGate: gate,
          source: ctx.source,
        }),
        commandId: ctx.id,
      });
      event(agent, {
        type: "Normal",
        reason: "ExperimentStarted",
        action: "StartExperiment",
        note: `Experiment ${id} started by ${ctx.actor}: candidate ${candidate}, baseline ${baseline}, times out after ${timeoutSeconds} s; ${gateText(gate)}`,
      });
      return {
        status: "applied",
        message: `experiment ${id} started on ${ctx.target}: candidate ${candidate} (baseline ${baseline}), rolled back automatically after ${timeoutSeconds} s unless promoted; ${gateText(gate)}`,
        details: { experimentId: id, baselineRevision: baseline, candidateRevision: candidate },
      };
    });
  }

  function stopExperiment(payload: CommandPayload<"stop-experiment">, ctx: CommandContext) {
    return endExperiment("stop", payload.experimentId, ctx);
  }

  function promoteExperiment(payload: CommandPayload<"promote-experiment">, ctx: CommandContext) {
    return endExperiment("promote", payload.experimentId, ctx);
  }

  async function restoreRevision(
    payload: CommandPayload<"restore-revision">,
    ctx: CommandContext,
  ): Promise<CommandOutcome> {
    return retryCommand(async () => {
      const agent = await readAgent(api, ctx.target);
      const name = agent.metadata.name;
      const status = await stateOf(readModel, agent);
      // "Already current" by the spec the agent has now (the store's pointer may lag it).
      const current = revisionName(name, specHash(agent.spec));
      const guard = canRestore({ ...status, currentRevision: current }, payload.revision);
      if (!guard.ok) {
        if (guard.nothingToDo) return { status: "ignored", message: guard.reason };
        throw new CommandRejected(guard.reason);
      }
      if (!hashOfRevisionName(name, payload.revision)) {
        throw new CommandRejected(
          `"${payload.revision}" is not a revision of ${ctx.target} (expected ${name}-<10 hex characters>)`,
        );
      }
      const spec = await loadRevisionSpec(deps, agent, payload.revision, ctx.signal).catch((error) => {
        if (error instanceof RevisionUnavailable) throw new CommandRejected(error.message);
        throw error;
      });
      checkPolicy(spec, agent);
      ctx.signal.throwIfAborted();
      await api
        .replaceSpec(agent, spec, { cause: "restore", actor: ctx.actor, hash: specHash(spec) })
        .catch((error) => rejectApiError(error, `the API server rejected revision ${payload.revision}`));
      const was = current;
      await readModel.audit({
        ...audit(ctx.actor, "revision.restored", ctx.target, { revision: payload.revision, previous: was }),
        commandId: ctx.id,
      });
      event(agent, {
        type: "Normal",
        reason: "RevisionRestored",
        action: "RestoreRevision",
        note: `Revision ${payload.revision} restored by ${ctx.actor} (was ${was})`,
      });
      return {
        status: "applied",
        message: `${ctx.target} restored to revision ${payload.revision} (was ${was})`,
      };
    });
  }

  return { startExperiment, stopExperiment, promoteExperiment, restoreRevision };
}
