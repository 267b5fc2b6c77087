// The leader's two loops, fallback then rebalance, one tick every loop interval (10 s by
// default; the manager runs it, ./setup.ts, so a tick never overlaps the previous one and an
// error in one tick is counted, logged and followed by the next).
import type { PeriodicRun } from "../../kube/periodic";
import type { Fallback } from "./fallback";
import type { Rebalancer } from "./rebalancer";
import type { SpotTracker } from "./tracker";

export class SpotLoops {
  /** Whether this leadership's first ready tick has run beforeFirstTick. */
  private prepared = false;

  constructor(
    private readonly tracker: SpotTracker,
    private readonly fallback: Fallback,
    private readonly rebalancer: Rebalancer,
    /** Runs once per leadership, before the first tick that finds the tracker ready. */
    private readonly beforeFirstTick: () => Promise<void>,
    /** Runs when the leader stops (the Events' pending series counts). */
    private readonly afterLastTick: () => Promise<void>,
  ) {}

  readonly tick = async ({ final, signal }: PeriodicRun): Promise<void> => {
    if (final) {
      this.prepared = false;
      await this.afterLastTick();
      return;
    }
    if (!this.tracker.ready()) return;
    if (!this.prepared) {
      await this.beforeFirstTick();
      this.prepared = true;
    }
    await this.fallback.runOnce();
    if (signal.aborted) return;
    await this.rebalancer.runOnce();
  };
}
