// The rollout read model's reconciler: for a DatadogAgent, what its workloads and their pods
// look like now (controller/agents/rollout.ts) and, while an experiment runs, its candidate
// under the health gate, written to the store when it changed. It decides nothing: the rollback
// is the DatadogAgent reconciler's (the same verdict, from the same caches).
//
// What wakes it (./setup.ts, docs/health.md): the agent, its DaemonSet's and Deployment's
// status (their counts change as pods come and go, become ready or not), and the nodes. Pod
// events wake it only for an agent whose experiment runs (the candidate's detail under the
// gate). While a workload is not all there (pods unavailable, not updated, or a pod with a
// problem), the rollout is computed again after a few seconds instead (backing off while it does
// not change), so the page's pod detail (why a pod is not ready) stays current without a
// reconcile per pod event.
import { createHash } from "node:crypto";
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
/**
 * While a workload is not all there, its pod detail is refreshed: after 5 s, then, while the
 * rollout stays the same, twice as long each time up to a minute (a rollout stuck on a missing
 * image need not be recomputed every 5 s); a change starts over at 5 s.
 */
export const UNSETTLED_REFRESH_MS = 5_000;
export const UNSETTLED_REFRESH_MAX_MS = 60_000;

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
  /** Per unsettled agent: its rollout's fingerprint and the refresh delay that goes with it. */
  private readonly refresh = new Map<string, { fingerprint: string; delayMs: number }>();

  constructor(private readonly deps: RolloutDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  readonly reconcile = async (key: string): Promise<Result> => {
    const agent = this.deps.cached(key);
    if (!agent || agent.metadata.deletionTimestamp) {
      this.computedAt.delete(key);
      this.refresh.delete(key);
      this.deps.writer.write(key, null);
      return;
    }
    const since = Date.now() - (this.computedAt.get(key) ?? 0);
    if (since < MIN_INTERVAL_MS) return { requeueAfterMs: MIN_INTERVAL_MS - since };
    this.computedAt.set(key, Date.now());
    const rollout = this.rollout(agent);
    this.deps.writer.write(key, rollout);
    const tripsAt = rollout.candidate?.tripsAt;
    const trip = tripsAt
      ? Math.max(0, new Date(tripsAt).getTime() - this.now().getTime()) + TRIP_SLACK_MS
      : Infinity;
    const after = Math.min(trip, this.refreshDelay(key, rollout));
    if (after < Infinity) return { requeueAfterMs: after };
  };

  /** When to recompute an unsettled rollout (Infinity: settled). */
  private refreshDelay(key: string, rollout: AgentRollout): number {
    if (settled(rollout)) {
      this.refresh.delete(key);
      return Infinity;
    }
    const fingerprint = createHash("md5").update(JSON.stringify(rollout)).digest("base64");
    const last = this.refresh.get(key);
    const delayMs =
      last?.fingerprint === fingerprint
        ? Math.min(last.delayMs * 2, UNSETTLED_REFRESH_MAX_MS)
        : UNSETTLED_REFRESH_MS;
    this.refresh.set(key, { fingerprint, delayMs });
    return delayMs;
  }

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

/** Every workload's pods all there, updated and available, and no pod with a problem. */
export function settled(rollout: Pick<AgentRollout, "daemonSet" | "deployment" | "problems">): boolean {
  const done = (w: AgentRollout["daemonSet"]) =>
    !w.exists || (w.unavailable === 0 && w.updated >= w.desired && w.observedGeneration >= w.generation);
  return rollout.problems.length === 0 && done(rollout.daemonSet) && done(rollout.deployment);
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
