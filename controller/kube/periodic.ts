// A periodic runnable, the manager's every(): fn runs every interval, measured from the end of
// the previous run, so two runs never overlap. A failed run is counted
// (fleetdeck_periodic_errors_total) and the next one runs at its time; the first failure of a
// streak is logged, the rest of the streak only counted, and the recovery logged once. Stopping
// waits for the run in progress and, with finalRun, runs fn once more (a last flush).
import type { Logger } from "../log";
import type { Runnable } from "./manager";
import { periodicMetrics } from "./metrics";

export interface PeriodicOptions {
  /** Runs only while this process leads (default: on every replica). */
  leaderOnly?: boolean;
  /** Runs once as soon as it starts (default: the first run is one interval after the start). */
  initialRun?: boolean;
  /** Runs once more when it stops, after the run in progress. */
  finalRun?: boolean;
}

export interface PeriodicRun {
  /** The run stop() makes with finalRun: the last one. */
  final: boolean;
  /** Aborted when stop() begins: a long run should wrap up. Never aborted in the final run. */
  signal: AbortSignal;
}

/** What it returns is ignored; what it throws is counted and logged. */
export type PeriodicFn = (run: PeriodicRun) => unknown;

/**
 * The run of a store writer that writes what changed: `flush` every run, then, after the final
 * one, `afterFinal` (a leader's writer forgets what it wrote: its next term rewrites it all).
 */
export function flushEveryRun(flush: () => Promise<void>, afterFinal: () => void): PeriodicFn {
  return async ({ final }) => {
    try {
      await flush();
    } finally {
      if (final) afterFinal();
    }
  };
}

/** Milliseconds, or a function asked before each wait (a shorter interval until a first success). */
export type Interval = number | (() => number);

export class Periodic implements Runnable {
  readonly leaderOnly: boolean;
  private active = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A trigger() that came during a run: one more run right after it. */
  private queued: Promise<void> | undefined;
  private abort = new AbortController();
  /** Failed runs in a row. */
  private failures = 0;

  constructor(
    readonly name: string,
    private readonly interval: Interval,
    private readonly fn: PeriodicFn,
    private readonly options: PeriodicOptions,
    private readonly log: Logger,
  ) {
    this.leaderOnly = options.leaderOnly ?? false;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.abort = new AbortController();
    if (this.options.initialRun) void this.runNow();
    else this.arm();
  }

  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.queued;
    await this.running;
    if (this.options.finalRun) await this.execute(true);
  }

  /**
   * Runs fn now (or, during a run, once more right after it) instead of at its time; resolves
   * when that run is over. Does nothing while stopped.
   */
  trigger(): Promise<void> {
    if (!this.active) return Promise.resolve();
    if (this.queued) return this.queued;
    if (!this.running) return this.runNow();
    const queued = this.running.then(() => {
      this.queued = undefined;
      return this.active ? this.runNow() : undefined;
    });
    this.queued = queued;
    return queued;
  }

  private runNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const run: Promise<void> = this.execute(false).finally(() => {
      if (this.running === run) this.running = undefined;
      this.arm();
    });
    this.running = run;
    return run;
  }

  private arm(): void {
    if (!this.active || this.running || this.queued) return;
    clearTimeout(this.timer);
    const ms = typeof this.interval === "function" ? this.interval() : this.interval;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNow();
    }, ms);
    this.timer.unref();
  }

  private async execute(final: boolean): Promise<void> {
    const name = this.name;
    const started = performance.now();
    try {
      await this.fn({ final, signal: final ? new AbortController().signal : this.abort.signal });
      periodicMetrics.runs.inc({ name, result: "success" });
      if (this.failures > 0) {
        this.log.info({ periodic: name, failures: this.failures }, `${name} recovered`);
        this.failures = 0;
      }
    } catch (error) {
      periodicMetrics.runs.inc({ name, result: "error" });
      periodicMetrics.errors.inc({ name });
      if (this.failures++ === 0) {
        this.log.warn(
          { periodic: name, err: error instanceof Error ? error.message : String(error) },
          `${name} failed; retrying every interval (counted, logged again once it recovers)`,
        );
      }
    } finally {
      periodicMetrics.duration.observe({ name }, (performance.now() - started) / 1000);
    }
  }
}
