// A rate-limited work queue with client-go's guarantees: a key is queued once however often it
// is added; a key handed out by get() is not handed out again until done(key), and a key added
// meanwhile is queued again then; failures back off per key (5 ms → 1000 s) under an overall
// token bucket (10 qps, burst 100). Only a queue: the controller (controller.ts) runs workers.
import { workqueueMetrics } from "./metrics";
import { ControllerRateLimiter, type RateLimiterOptions } from "./rate-limiter";

export interface WorkQueueOptions extends RateLimiterOptions {
  /** Name in metrics (`name` label). */
  name: string;
}

export class WorkQueue {
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { timer: NodeJS.Timeout; readyAt: number }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly limiter: ControllerRateLimiter;
  private shuttingDown = false;
  private readonly unfinishedTimer: NodeJS.Timeout;

  constructor(private readonly options: WorkQueueOptions) {
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

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    workqueueMetrics.adds.inc({ name: this.name });
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // queued again by done()
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

  /** Adds the key after its backoff: the next failure of this key waits longer. */
  addRateLimited(key: string): void {
    workqueueMetrics.retries.inc({ name: this.name });
    this.addAfter(key, this.limiter.when(key));
  }

  /** Resets the key's backoff (it succeeded, or will not be retried). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** The next key to process, waiting for one; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
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

  /** Marks a key handed out by get() as processed; queues it again if it was added meanwhile. */
  done(key: string): void {
    const started = this.processing.get(key);
    this.processing.delete(key);
    if (started !== undefined)
      workqueueMetrics.workDuration.observe({ name: this.name }, (Date.now() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Stops handing out keys and drops what is queued or delayed; adds are refused from now on. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue = [];
    this.head = 0;
    this.dirty.clear();
    this.enqueuedAt.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
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
