// Runs a function at an interval, one run at a time, until stopped: the fleet driver's stand-in
// for the controller Manager's periodic runnables (`every(name, interval, fn)`), with the same
// shape so the driver moves onto it unchanged once the Manager can elect its leader through the
// store. A run that throws is logged; the next runs on time.
import type { Logger } from "./log";

export interface Periodic {
  /** Runs once more at once (a new leader does not wait for the next interval). */
  poke(): void;
  /** Stops, waiting for a run in progress. */
  stop(): Promise<void>;
}

export function every(name: string, intervalMs: number, fn: () => Promise<unknown>, log: Logger): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    timer = undefined;
    running = fn()
      .then(
        () => undefined,
        (error: Error) => log.warn({ runnable: name, err: error.message }, "periodic run failed"),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  timer = setTimeout(run, 0);
  return {
    poke() {
      if (stopped || !timer) return;
      clearTimeout(timer);
      timer = setTimeout(run, 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
