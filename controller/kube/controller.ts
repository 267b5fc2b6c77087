// The counterpart of controller-runtime's builder and Controller. A feature declares what it
// watches (informers, and how an object maps to the keys to reconcile), what else it reads
// (caches), and how it reconciles a key; the controller waits for every one of those caches to
// sync, then runs N workers over a rate-limited queue, retries errors with backoff, requeues
// when asked, never retries a TerminalError, and counts it all under the controller's name.
// It is a Runnable of the manager: leader-only controllers run while this process leads, with a
// fresh queue (and a full resync of every cached object) each time it starts; until its caches
// have synced it is not ready (the manager's readiness check names them).
import type { Logger } from "../log";
import type { CacheWait } from "./cache-sync";
import { objectKey, type Informer, type KubeObject } from "./informer";
import type { CacheReader, Runnable } from "./manager";
import { reconcileMetrics } from "./metrics";
import type { RateLimiterOptions } from "./rate-limiter";
import { WorkQueue } from "./workqueue";

/** Done (undefined), or reconcile again after a delay (periodic work, a deadline). */
export type Result = void | { requeueAfterMs?: number };

/**
 * `signal` aborts when the call exceeds its timeout or the controller stops; `attempt` is 1 on
 * a first try, n on the n-th consecutive try after failures.
 */
export type Reconcile<K = string> = (key: K, signal: AbortSignal, attempt: number) => Promise<Result>;

/**
 * How a controller's keys go through its queue, which holds text: a key type of its own (an
 * object reference, "this autoscaler or that profile") is encoded once and decoded once, so no
 * reconcile parses key strings by hand.
 */
export interface KeyCodec<K> {
  encode(key: K): string;
  /** undefined for a text that is not a key (dropped as a terminal error). */
  decode(text: string): K | undefined;
}

/** Keys that are text already ("namespace/name"). */
export const textKeys: KeyCodec<string> = { encode: (key) => key, decode: (text) => text };

/** A failure retrying cannot fix (invalid input): logged and counted, the key is not retried. */
export class TerminalError extends Error {
  override name = "TerminalError";
}

export interface Watch<T extends KubeObject = KubeObject, K = string> {
  informer: Informer<T>;
  /**
   * Keys to reconcile when the object changes (for an update, the keys of the old and of the
   * new object): controller-runtime's EnqueueRequestsFromMapFunc. Default, for text keys only:
   * the object's own "namespace/name".
   */
  keys?: (obj: T) => K[];
  /**
   * The priority of its event handlers on the informer (Informer.on): a controller whose
   * latency matters more than its neighbours' on a shared informer queues first.
   */
  priority?: number;
}

export interface ControllerOptions<K = string> {
  /** The `controller` label of its metrics, its queue's name, and its runnable's name. */
  name: string;
  reconcile: Reconcile<K>;
  /** Its key type's codec; required unless keys are text (the default). */
  keyCodec?: KeyCodec<K>;
  watches?: Watch<KubeObject, K>[];
  /** Informers the reconcile reads without being triggered by them: workers wait for them too. */
  caches?: Informer<KubeObject>[];
  /** Keys reconciled at every start besides every watched object's (e.g. objects deleted meanwhile). */
  initialKeys?: () => K[] | Promise<K[]>;
  workers?: number;
  /** Per-call timeout: the signal aborts and the call counts as failed (default 30 s). */
  timeoutMs?: number;
  /** Runs only while this process leads (default true). */
  leaderOnly?: boolean;
  rateLimiter?: RateLimiterOptions;
  log: Logger;
}

export class Controller<K = string> implements Runnable, CacheReader {
  readonly name: string;
  readonly leaderOnly: boolean;
  private readonly codec: KeyCodec<K>;
  private readonly watches: Watch<KubeObject, K>[] = [];
  private run:
    | { queue: WorkQueue; workers: Workers; abort: AbortController; synced: boolean; startedAt: number }
    | undefined;

  constructor(private readonly options: ControllerOptions<K>) {
    this.name = options.name;
    this.leaderOnly = options.leaderOnly ?? true;
    this.codec = options.keyCodec ?? (textKeys as unknown as KeyCodec<K>);
    for (const watch of options.watches ?? []) this.watch(watch);
  }

  /**
   * Adds a watch (a forwarder adds those its access review allows). While running, the
   * informer's cached objects are queued at once; workers already started do not wait for it.
   */
  watch<T extends KubeObject>(watch: Watch<T, K>): void {
    const w = watch as unknown as Watch<KubeObject, K>;
    if (this.watches.some((existing) => existing.informer === w.informer)) return;
    this.watches.push(w);
    const keys = this.keysOf(w);
    const enqueue = (...objs: KubeObject[]) => {
      const queue = this.run?.queue;
      if (!queue) return;
      for (const obj of objs) for (const key of keys(obj)) queue.add(this.codec.encode(key));
    };
    const priority = { priority: w.priority ?? 0 };
    w.informer
      .on("add", (obj) => enqueue(obj), priority)
      .on("update", (old, obj) => enqueue(old, obj), priority)
      .on("delete", (obj) => enqueue(obj), priority);
    if (this.run?.synced) {
      w.informer.start();
      for (const obj of w.informer.list()) enqueue(obj);
    }
  }

  /** Starts the queue now and the workers once every cache has synced (in the background). */
  start(): void {
    if (this.run) return;
    const queue = new WorkQueue({ name: this.name, ...this.options.rateLimiter });
    const workers = new Workers(queue, {
      name: this.name,
      reconcile: (text, signal, attempt) => {
        const key = this.codec.decode(text);
        if (key === undefined) throw new TerminalError(`malformed key "${text}"`);
        return this.options.reconcile(key, signal, attempt);
      },
      workers: this.options.workers,
      timeoutMs: this.options.timeoutMs,
      log: this.options.log,
    });
    const run = { queue, workers, abort: new AbortController(), synced: false, startedAt: Date.now() };
    this.run = run;
    void this.startWorkers(run).catch((error: Error) => {
      if (!run.abort.signal.aborted)
        this.options.log.error({ controller: this.name, err: error.message }, "controller did not start");
    });
  }

  /** Stops handing out keys and waits for the reconciles in progress. */
  async stop(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    run.abort.abort();
    await run.workers.drain();
  }

  /** Queues a key now (an outside trigger: a timer, a certificate rotation); ignored when stopped. */
  enqueue(key: K): void {
    this.run?.queue.add(this.codec.encode(key));
  }

  /** True while stopped, or when nothing is queued, delayed or being reconciled. */
  isIdle(): boolean {
    return this.run?.queue.isIdle() ?? true;
  }

  get queueDepth(): number {
    return this.run?.queue.length ?? 0;
  }

  /** Whether the workers run (every cache synced since the last start). */
  isRunning(): boolean {
    return this.run?.synced ?? false;
  }

  /** While started and not synced: the caches it waits for, since its start. */
  cacheWait(): CacheWait | undefined {
    const run = this.run;
    if (!run || run.synced) return undefined;
    return { since: run.startedAt, caches: this.informers() };
  }

  private keysOf(w: Watch<KubeObject, K>): (obj: KubeObject) => K[] {
    return w.keys ?? ((obj) => [objectKey(obj) as K]);
  }

  private informers(): Informer<KubeObject>[] {
    return [...new Set([...this.watches.map((w) => w.informer), ...(this.options.caches ?? [])])];
  }

  private async startWorkers(run: NonNullable<Controller["run"]>): Promise<void> {
    const informers = this.informers();
    for (const informer of informers) informer.start(); // no-op for a shared one already running
    // Reconciling from a half-filled cache would take an object not listed yet for a deleted one.
    await Promise.all(informers.map((i) => i.waitForSync(run.abort.signal)));
    if (run.abort.signal.aborted) return;
    run.synced = true;
    for (const w of this.watches) {
      const keys = this.keysOf(w);
      for (const obj of w.informer.list()) for (const key of keys(obj)) run.queue.add(this.codec.encode(key));
    }
    for (const key of (await this.options.initialKeys?.()) ?? []) run.queue.add(this.codec.encode(key));
    run.workers.start();
    this.options.log.debug(
      { controller: this.name, caches: informers.length },
      "caches synced; workers started",
    );
  }
}

class ReconcileTimeout extends Error {}

export interface WorkersOptions {
  name: string;
  reconcile: Reconcile;
  workers?: number;
  timeoutMs?: number;
  log?: Logger;
}

/**
 * N workers over a queue: each takes a key, reconciles it with a timeout, and marks it done.
 * The controller's engine; exported so the queue's guarantees are tested without informers.
 */
export class Workers {
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private active = 0;

  constructor(
    private readonly queue: WorkQueue,
    private readonly options: WorkersOptions,
  ) {}

  start(): void {
    for (let i = 0; i < (this.options.workers ?? 1); i++) this.loops.push(this.loop());
  }

  /** Shuts the queue down and waits for the calls in progress (client-go's ShutDownWithDrain). */
  async drain(): Promise<void> {
    this.queue.shutdown();
    await Promise.all(this.loops);
    await Promise.allSettled([...this.inFlight]);
  }

  private async loop(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const { name: controller, reconcile, log } = this.options;
    const queue = this.queue;
    const started = Date.now();
    const abort = new AbortController();
    reconcileMetrics.activeWorkers.set({ controller }, ++this.active);
    const call = Promise.resolve().then(() => reconcile(key, abort.signal, queue.numRequeues(key) + 1));
    // The key stays "processing" until the call really ends, even past its timeout, so no
    // second worker can pick it up meanwhile.
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => {
      this.inFlight.delete(settled);
      queue.done(key);
    });

    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ReconcileTimeout(`reconcile of ${key} exceeded ${timeoutMs} ms`);
        abort.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([call, timeout]);
      queue.forget(key);
      if (result && result.requeueAfterMs !== undefined) {
        reconcileMetrics.total.inc({ controller, result: "requeue_after" });
        queue.addAfter(key, result.requeueAfterMs);
      } else {
        reconcileMetrics.total.inc({ controller, result: "success" });
      }
    } catch (error) {
      reconcileMetrics.total.inc({ controller, result: "error" });
      reconcileMetrics.errors.inc({ controller });
      if (error instanceof ReconcileTimeout) reconcileMetrics.timeouts.inc({ controller });
      if (error instanceof TerminalError) {
        reconcileMetrics.terminalErrors.inc({ controller });
        queue.forget(key);
        log?.error({ controller, key, err: error.message }, "reconcile failed; not retried");
      } else {
        log?.warn(
          { controller, key, err: (error as Error).message, requeues: queue.numRequeues(key) },
          "reconcile failed; will retry",
        );
        queue.addRateLimited(key);
      }
    } finally {
      clearTimeout(timer);
      reconcileMetrics.activeWorkers.set({ controller }, --this.active);
      reconcileMetrics.time.observe({ controller }, (Date.now() - started) / 1000);
    }
  }
}
