// Command handlers for start/stop/promote-experiment and restore-revision: the dashboard and the
// Remote Config signal (POST /api/signals) both arrive here as Commands. Each re-reads the
// DatadogAgent, decides with the pure guards of lib/experiments.ts, and writes with the
// resourceVersion it read (a 409 is retried from a fresh read). Nothing is dropped silently: a
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
import { canEnd, canPromoteCandidate, canRestore, canStart } from "../../lib/experiments";
import type { CandidateHealth } from "../../lib/rollout";
import { applyMergePatch, createMergePatch, type Json } from "../../lib/merge-patch";
import { CommandRejected, type CommandContext, type CommandOutcome } from "../commands/registry";
import { describeKubeError, isConflict, statusCode } from "../kube/client";
import { Conflict, ConflictRetriesExhausted, retryOnConflict } from "../kube/retry";
import type { EventInput, EventRecorder } from "../kube/events";
import { agentRef, audit, ownStatus } from "./agent";
import type { AgentApi, DatadogAgent } from "./api";
import { policyViolation, type ConfigPolicy } from "./config-policy";
import { applyDefaults } from "./defaults";
import { promotedStatus, startedStatus, stoppedStatus, timeoutSecondsOf } from "./experiment";
import { hashOfRevisionName, revisionName, specHash } from "./hash";
import { loadRevisionSpec, RevisionUnavailable, type Revisions } from "./revisions";
import type { AgentReadModel } from "./read-model";

export interface HandlerDeps {
  api: Pick<AgentApi, "get" | "replaceSpec" | "patchStatus">;
  revisions: Revisions;
  readModel: AgentReadModel;
  events: Pick<EventRecorder, "record">;
  defaultTimeoutSeconds: number;
  /** The health gate of an experiment started without settings (a signal always is). */
  defaultHealthGate: HealthGateSettings;
  /** The running experiment's candidate under its health gate, now (promote is refused while unhealthy). */
  candidateHealth?: (target: string) => CandidateHealth | null;
  /** What a new spec may bring in (images, Secret references, destinations of the agents' data). */
  policy: ConfigPolicy;
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

  /** Stop and promote act only on the running experiment of that id; otherwise: ignored, with why. */
  function onRunningExperiment(
    action: "stop" | "promote",
    id: string,
    ctx: CommandContext,
    act: (agent: DatadogAgent, status: AgentStatus) => Promise<CommandOutcome>,
  ): Promise<CommandOutcome> {
    return retryCommand(async () => {
      const agent = await readAgent(api, ctx.target);
      const status = ownStatus(agent.status);
      const guard = canEnd(status, id, action);
      if (!guard.ok) return { status: "ignored", message: guard.reason };
      return act(agent, status);
    });
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
      const status = ownStatus(agent.status);
      const guard = canStart(status, id);
      if (!guard.ok) throw new CommandRejected(guard.reason);

      const merged = applyMergePatch(agent.spec ?? {}, payload.config);
      const expectedSpecHash = specHash(merged);
      const candidate = revisionName(agent.metadata.name, expectedSpecHash);
      const baseline = status.currentRevision!;
      const retry = status.experiment?.phase === "running";
      if (!retry && candidate === baseline) {
        throw new CommandRejected(
          `the config changes nothing: the candidate spec is the current revision ${baseline}`,
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

      const started = startedStatus(status, {
        id,
        expectedSpecHash,
        timeoutSeconds: payload.timeoutSeconds,
        healthGate: { ...deps.defaultHealthGate, ...payload.healthGate },
      });
      const timeoutSeconds = timeoutSecondsOf(started.experiment!, deps.defaultTimeoutSeconds);
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
      });
      // Status first, then the spec (upstream's order): the reconcile that sees the new spec
      // already knows it is the experiment's, by expectedSpecHash.
      try {
        ctx.signal.throwIfAborted();
        const withStatus = await api.patchStatus(agent, createMergePatch(status, started) ?? {});
        try {
          ctx.signal.throwIfAborted();
          await api.replaceSpec(withStatus, merged, cause);
        } catch (error) {
          if (isConflict(error)) throw new Conflict();
          // Put the status back, so the agent is not left "running" an experiment that never ran.
          const revert = createMergePatch(ownStatus(withStatus.status), status);
          if (revert !== undefined) await api.patchStatus(withStatus, revert).catch(() => undefined);
          rejectApiError(error, "the candidate spec could not be written; the experiment was not started");
        }
      } catch (error) {
        if (!retry) await readModel.forgetExperiment(ctx.target, id);
        throw error;
      }
      await readModel.audit({
        ...audit(ctx.actor, "experiment.started", ctx.target, {
          experimentId: id,
          baselineRevision: baseline,
          candidateRevision: candidate,
          timeoutSeconds,
          healthGate: started.experiment!.healthGate,
        }),
        commandId: ctx.id,
      });
      event(agent, {
        type: "Normal",
        reason: "ExperimentStarted",
        action: "StartExperiment",
        note: `Experiment ${id} started by ${ctx.actor}: candidate ${candidate}, baseline ${baseline}, times out after ${timeoutSeconds} s; ${gateText(started.experiment!.healthGate!)}`,
      });
      return {
        status: "applied",
        message: `experiment ${id} started on ${ctx.target}: candidate ${candidate} (baseline ${baseline}), rolled back automatically after ${timeoutSeconds} s unless promoted; ${gateText(started.experiment!.healthGate!)}`,
        details: { experimentId: id, baselineRevision: baseline, candidateRevision: candidate },
      };
    });
  }

  async function stopExperiment(
    payload: CommandPayload<"stop-experiment">,
    ctx: CommandContext,
  ): Promise<CommandOutcome> {
    const id = payload.experimentId;
    return onRunningExperiment("stop", id, ctx, async (agent, status) => {
      ctx.signal.throwIfAborted();
      await readModel.stopRequested(ctx.target, id, ctx.actor);
      ctx.signal.throwIfAborted();
      await api.patchStatus(agent, createMergePatch(status, stoppedStatus(status)) ?? {});
      const baseline = status.experiment?.baselineRevision;
      await readModel.audit({
        ...audit(ctx.actor, "experiment.stop-requested", ctx.target, {
          experimentId: id,
          baselineRevision: baseline,
        }),
        commandId: ctx.id,
      });
      return {
        status: "applied",
        message: `experiment ${id} stopped: rolling ${ctx.target} back to baseline ${baseline}`,
        details: { experimentId: id, baselineRevision: baseline },
      };
    });
  }

  async function promoteExperiment(
    payload: CommandPayload<"promote-experiment">,
    ctx: CommandContext,
  ): Promise<CommandOutcome> {
    const id = payload.experimentId;
    return onRunningExperiment("promote", id, ctx, async (agent, status) => {
      const health = canPromoteCandidate(deps.candidateHealth?.(ctx.target));
      if (!health.ok) throw new CommandRejected(health.reason);
      ctx.signal.throwIfAborted();
      await api.patchStatus(agent, createMergePatch(status, promotedStatus(status)) ?? {});
      const defaulted = applyDefaults(agent.spec);
      const hash = specHash(defaulted);
      const kept = revisionName(agent.metadata.name, hash);
      const reason = `promoted by ${ctx.actor}: revision ${kept} stays`;
      await readModel.recordPromotion(
        {
          agentKey: ctx.target,
          name: kept,
          hash,
          spec: defaulted,
          cause: "promote",
          actor: ctx.actor,
          experimentId: id,
        },
        { phase: "promoted", outcome: "promoted", reason, endedBy: ctx.actor },
        {
          ...audit(ctx.actor, "experiment.promoted", ctx.target, { experimentId: id, revision: kept }),
          commandId: ctx.id,
        },
      );
      event(agent, {
        type: "Normal",
        reason: "ExperimentPromoted",
        action: "PromoteExperiment",
        note: `Experiment ${id} promoted by ${ctx.actor}: revision ${kept} is kept`,
      });
      return {
        status: "applied",
        message: `experiment ${id} promoted: ${ctx.target} keeps revision ${kept}`,
      };
    });
  }

  async function restoreRevision(
    payload: CommandPayload<"restore-revision">,
    ctx: CommandContext,
  ): Promise<CommandOutcome> {
    return retryCommand(async () => {
      const agent = await readAgent(api, ctx.target);
      const name = agent.metadata.name;
      const status = ownStatus(agent.status);
      const guard = canRestore(status, payload.revision);
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
      const was = status.currentRevision ?? "(none)";
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
