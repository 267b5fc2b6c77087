// The leader's two loops, fallback then rebalance, every loop interval (10 s by default). A
// tick never overlaps the previous one; an error in one tick is logged and the next tick runs.
import type { Logger } from "../../log";
import type { Fallback } from "./fallback";
import type { Rebalancer } from "./rebalancer";
import type { SpotTracker } from "./tracker";

export class SpotLoops {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly tracker: SpotTracker,
    private readonly fallback: Fallback,
    private readonly rebalancer: Rebalancer,
    private readonly intervalMs: number,
    private readonly log: Logger,
    /** Runs once per leadership, before the first tick that finds the tracker ready. */
    private readonly beforeFirstTick: () => Promise<void>,
  ) {}

  start(): void {
    this.stopped = false;
    let prepared = false;
    const tick = async () => {
      if (!this.tracker.ready()) return;
      if (!prepared) {
        await this.beforeFirstTick();
        prepared = true;
      }
      await this.fallback.runOnce();
      if (this.stopped) return;
      await this.rebalancer.runOnce();
    };
    const schedule = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.current = tick()
          .catch((error: Error) => this.log.error({ err: error.stack }, "spot loop tick failed"))
          .finally(schedule);
      }, this.intervalMs);
    };
    schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }
}
