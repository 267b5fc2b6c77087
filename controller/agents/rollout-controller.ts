// The rollout read model's reconciler: for a DatadogAgent, what its workloads and their pods
// look like now (controller/agents/rollout.ts) and, while an experiment runs, its candidate
// under the health gate, written to the store when it changed. It decides nothing: the rollback
// is the DatadogAgent reconciler's (the same verdict, from the same caches).
import type { HealthGateSettings } from "../../lib/agents";
import type { AgentRollout, CandidateHealth } from "../../lib/rollout";
import type { Result } from "../kube/controller";
import type { DatadogAgent } from "./api";
import { ownStatus } from "./controller";
import { healthGateOf } from "./experiment";
import { hashOfRevisionName } from "./hash";
import type { AgentReadModel } from "./read-model";
import type { RolloutCache } from "./rollout-cache";
import { summarizeRollout } from "./rollout";

/** A verdict's trip time is re-checked a little after it, past the API's whole-second times. */
const TRIP_SLACK_MS = 250;

export interface RolloutDeps {
  cached: (key: string) => DatadogAgent | undefined;
  cache: RolloutCache;
  readModel: Pick<AgentReadModel, "syncRollout">;
  defaultHealthGate: HealthGateSettings;
  now?: () => Date;
}

export class RolloutReconciler {
  private readonly now: () => Date;

  constructor(private readonly deps: RolloutDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  readonly reconcile = async (key: string): Promise<Result> => {
    const agent = this.deps.cached(key);
    if (!agent || agent.metadata.deletionTimestamp) {
      await this.deps.readModel.syncRollout(key, null);
      return;
    }
    const rollout = this.rollout(agent);
    await this.deps.readModel.syncRollout(key, rollout);
    const tripsAt = rollout.candidate?.tripsAt;
    if (tripsAt) {
      return {
        requeueAfterMs: Math.max(0, new Date(tripsAt).getTime() - this.now().getTime()) + TRIP_SLACK_MS,
      };
    }
  };

  /** The agent's rollout now, with the running experiment's candidate (promote asks for it too). */
  rollout(agent: DatadogAgent): AgentRollout {
    const summary = summarizeRollout(this.deps.cache.rolloutInput(agent));
    const desired = summary.daemonSet.desired + summary.deployment.desired;
    return { ...summary, candidate: this.candidate(agent, desired) };
  }

  /** The running experiment's candidate under its gate, once it has landed; null otherwise. */
  private candidate(agent: DatadogAgent, desired: number): CandidateHealth | null {
    const status = ownStatus(agent.status);
    const exp = status.experiment;
    if (exp?.phase !== "running" || exp.expectedSpecHash || !exp.id || !status.currentRevision) return null;
    const hash = hashOfRevisionName(agent.metadata.name, status.currentRevision);
    if (!hash) return null;
    const gate = healthGateOf(exp, this.deps.defaultHealthGate);
    const verdict = this.deps.cache.verdict(agent, hash, gate, this.now());
    return {
      experimentId: exp.id,
      revision: status.currentRevision,
      hash,
      pods: verdict.pods,
      ready: verdict.ready,
      unavailable: verdict.unavailable,
      failing: verdict.failing.length,
      desired,
      state: verdict.state,
      tripsAt: verdict.tripsAt?.toISOString() ?? null,
      summary: verdict.summary,
      ...gate,
    };
  }
}
