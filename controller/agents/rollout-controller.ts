// The rollout read model's reconciler: for a DatadogAgent, what its workloads and their pods
// look like now (controller/agents/rollout.ts) and, while an experiment runs, its candidate
// under the health gate, written to the store when it changed. It decides nothing: the rollback
// is the DatadogAgent reconciler's (the same verdict, from the same caches).
import type { AgentStatus, HealthGateSettings } from "../../lib/agents";
import type { AgentRollout, CandidateHealth } from "../../lib/rollout";
import type { Result } from "../kube/controller";
import type { DatadogAgent } from "./api";
import { healthGateOf } from "./experiment";
import { hashOfRevisionName } from "./hash";
import type { AgentReadModel } from "./read-model";
import type { RolloutCache } from "./rollout-cache";
import { summarizeRollout } from "./rollout";

/** A verdict's trip time is re-checked a little after it, past the API's whole-second times. */
const TRIP_SLACK_MS = 250;
/**
 * An agent's rollout is computed at most this often: a rollout is a burst of pod events, and
 * the row only feeds the pages (the health gate reads the caches itself).
 */
const MIN_INTERVAL_MS = 1_000;

export interface RolloutDeps {
  cached: (key: string) => DatadogAgent | undefined;
  /** fleetdeck's state of the agent (revision pointers, the experiment) as its reconciler last saw it. */
  state: (key: string) => AgentStatus | undefined;
  cache: RolloutCache;
  writer: Pick<RolloutWriter, "write">;
  defaultHealthGate: HealthGateSettings;
  now?: () => Date;
}

export class RolloutReconciler {
  private readonly now: () => Date;
  /** When each agent's rollout was last computed. */
  private readonly computedAt = new Map<string, number>();

  constructor(private readonly deps: RolloutDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  readonly reconcile = async (key: string): Promise<Result> => {
    const agent = this.deps.cached(key);
    if (!agent || agent.metadata.deletionTimestamp) {
      this.computedAt.delete(key);
      this.deps.writer.write(key, null);
      return;
    }
    const since = Date.now() - (this.computedAt.get(key) ?? 0);
    if (since < MIN_INTERVAL_MS) return { requeueAfterMs: MIN_INTERVAL_MS - since };
    this.computedAt.set(key, Date.now());
    const rollout = this.rollout(agent);
    this.deps.writer.write(key, rollout);
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
    const status = this.deps.state(`${agent.metadata.namespace}/${agent.metadata.name}`) ?? {};
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

/**
 * Buffers the latest rollout of each agent; flush() writes the changed ones in one transaction
 * (the leader flushes every half second, ./setup.ts): a DaemonSet rolling over a hundred nodes
 * is hundreds of pod events, and the rows only feed the pages. A failed write is retried with
 * the next flush.
 */
export class RolloutWriter {
  private pending = new Map<string, AgentRollout | null>();

  constructor(private readonly readModel: Pick<AgentReadModel, "syncRollouts">) {}

  write(key: string, rollout: AgentRollout | null): void {
    this.pending.set(key, rollout);
  }

  /** Writes what is pending now; on failure keeps it (newer rollouts winning) and throws. */
  async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.size === 0) return;
    this.pending = new Map();
    try {
      await this.readModel.syncRollouts(batch);
    } catch (error) {
      for (const [key, rollout] of batch) if (!this.pending.has(key)) this.pending.set(key, rollout);
      throw error;
    }
  }
}
