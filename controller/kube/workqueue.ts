// A rate-limited work queue with workers, with client-go's guarantees: a key is queued once
// however often it is added; a key is never processed by two workers at once, and a key added
// while it is being processed is processed again afterwards; failures back off per key
// (5 ms → 1000 s) under an overall token bucket (10 qps, burst 100).
import type { Logger } from "../log";
import { reconcileMetrics, workqueueMetrics } from "./metrics";
import { ControllerRateLimiter, type RateLimiterOptions } from "./rate-limiter";

export type ReconcileResult = void | { requeueAfterMs?: number };
export type Reconcile = (key: string, signal: AbortSignal) => Promise<ReconcileResult>;

export interface WorkQueueOptions extends RateLimiterOptions {
  /** Name in metrics (`name` label) and logs. */
  name: string;
  workers?: number;
  /** Per-call timeout: the reconcile's signal aborts, and the call counts as failed. */
  timeoutMs?: number;
}

class TimeoutError extends Error {}

export class WorkQueue {
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { timer: NodeJS.Timeout; readyAt: number }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly limiter: ControllerRateLimiter;
  private readonly workers: Promise<void>[] = [];
  private shuttingDown = false;
  private readonly unfinishedTimer: NodeJS.Timeout;

  constructor(
    private readonly options: WorkQueueOptions,
    private readonly log?: Logger,
  ) {
    this.limiter = new ControllerRateLimiter(options);
    this.unfinishedTimer = setInterval(() => this.observeUnfinished(), 1000);
    this.unfinishedTimer.unref();
  }

  get name(): string {
    return this.options.name;
  }

  /** Keys waiting to be processed (not counting those being processed or delayed). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** True when nothing is queued, delayed or being processed. */
  isIdle(): boolean {
    return this.length === 0 && this.processing.size === 0 && this.delayed.size === 0;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    workqueueMetrics.adds.inc({ name: this.name });
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // requeued by done()
    this.push(key);
  }

  /** Adds the key after a delay; of several pending delays for one key, the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = Date.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { timer, readyAt });
  }

  addRateLimited(key: string): void {
    workqueueMetrics.retries.inc({ name: this.name });
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** Starts the workers; each takes a key, reconciles it, and marks it done. */
  start(reconcile: Reconcile): void {
    const count = this.options.workers ?? 1;
    for (let i = 0; i < count; i++) this.workers.push(this.work(reconcile));
  }

  /**
   * Stops handing out keys, drops what is queued or delayed, and waits for the calls in
   * progress to finish (client-go's ShutDownWithDrain).
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue = [];
    this.head = 0;
    this.dirty.clear();
    this.enqueuedAt.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
    await Promise.all(this.workers);
    await Promise.allSettled([...this.inFlight]);
    clearInterval(this.unfinishedTimer);
    workqueueMetrics.depth.set({ name: this.name }, 0);
  }

  private push(key: string): void {
    this.enqueuedAt.set(key, Date.now());
    const waiter = this.waiters.shift();
    if (waiter) {
      this.take(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
    workqueueMetrics.depth.set({ name: this.name }, this.length);
  }

  private take(key: string): void {
    this.dirty.delete(key);
    this.processing.set(key, Date.now());
    const at = this.enqueuedAt.get(key);
    this.enqueuedAt.delete(key);
    if (at !== undefined)
      workqueueMetrics.queueDuration.observe({ name: this.name }, (Date.now() - at) / 1000);
  }

  private get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    if (this.length > 0) {
      const key = this.queue[this.head++]!;
      // Compact now and then so a long-running queue does not keep its history.
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      workqueueMetrics.depth.set({ name: this.name }, this.length);
      this.take(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private done(key: string): void {
    const started = this.processing.get(key);
    this.processing.delete(key);
    if (started !== undefined)
      workqueueMetrics.workDuration.observe({ name: this.name }, (Date.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  private async work(reconcile: Reconcile): Promise<void> {
    for (;;) {
      const key = await this.get();
      if (key === undefined) return;
      await this.process(key, reconcile);
    }
  }

  private async process(key: string, reconcile: Reconcile): Promise<void> {
    const controller = this.name;
    const started = Date.now();
    const abort = new AbortController();
    const call = Promise.resolve().then(() => reconcile(key, abort.signal));
    // The key stays "processing" until the call really ends, even past its timeout, so no
    // second worker can pick it up meanwhile.
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => {
      this.inFlight.delete(settled);
      this.done(key);
    });

    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort(new TimeoutError(`reconcile of ${key} exceeded ${timeoutMs} ms`));
        reject(new TimeoutError(`reconcile of ${key} exceeded ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([call, timeout]);
      this.forget(key);
      if (result && result.requeueAfterMs !== undefined) {
        reconcileMetrics.total.inc({ controller, result: "requeue_after" });
        this.addAfter(key, result.requeueAfterMs);
      } else {
        reconcileMetrics.total.inc({ controller, result: "success" });
      }
    } catch (error) {
      reconcileMetrics.total.inc({ controller, result: "error" });
      reconcileMetrics.errors.inc({ controller });
      if (error instanceof TimeoutError) reconcileMetrics.timeouts.inc({ controller });
      this.log?.warn(
        { queue: this.name, key, err: (error as Error).message, requeues: this.numRequeues(key) },
        "reconcile failed; will retry",
      );
      this.addRateLimited(key);
    } finally {
      clearTimeout(timer);
      reconcileMetrics.time.observe({ controller }, (Date.now() - started) / 1000);
    }
  }

  private observeUnfinished(): void {
    const now = Date.now();
    let total = 0;
    let longest = 0;
    for (const started of this.processing.values()) {
      total += now - started;
      longest = Math.max(longest, now - started);
    }
    workqueueMetrics.unfinishedWork.set({ name: this.name }, total / 1000);
    workqueueMetrics.longestRunning.set({ name: this.name }, longest / 1000);
  }
}
