// A shared-informer in the style of client-go's reflector + store: LIST (paginated), then WATCH
// from the list's resourceVersion with bookmarks; a 410 Gone relists; any other failure
// restarts with exponential backoff and jitter; a watchdog restarts a watch that went silent
// (half-open connections, client-node #958/#364). Every object's managedFields are compacted,
// and an optional transform shrinks it further before it is cached, so the cache holds only
// what its consumers read.
import type { Logger } from "../log";
import { ApiError, type KubeClient } from "./client";
import { informerMetrics } from "./metrics";

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface InformerOptions<T extends KubeObject> {
  /** Name in logs and metrics, e.g. "datadogagents". */
  name: string;
  /** Collection path, e.g. "/api/v1/pods" or "/apis/datadoghq.com/v2alpha1/datadogagents". */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Applied to every object before it is cached and handed to handlers. */
  transform?: (raw: KubeObject) => T;
  /** LIST page size. */
  pageSize?: number;
  /** A watch that receives nothing (not even a bookmark) for this long is restarted. */
  watchdogMs?: number;
  /** Backoff after errors: first delay and cap. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export interface HandlerOptions {
  /** Higher runs first (default 0). */
  priority?: number;
}

type AddHandler<T> = (obj: T) => void;
type UpdateHandler<T> = (oldObj: T, newObj: T) => void;
type DeleteHandler<T> = (obj: T) => void;

type WatchEnd = "closed" | "gone" | "watchdog" | "stopped";

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

/**
 * Every cached object's managedFields shrunk to who wrote which top-level field and when
 * (manager, operation, time, subresource, the top-level keys of fieldsV1), and which annotations:
 * the whole field sets are often larger than the object itself, and nothing reads deeper (the
 * agents reconciler names the last writer of `f:spec`, and the writer of a signal annotation,
 * `f:metadata` → `f:annotations` → its key). Applied before an informer's own transform.
 */
export function compactManagedFields(raw: KubeObject): KubeObject {
  const entries = raw.metadata.managedFields as ManagedFieldsEntry[] | undefined;
  if (!Array.isArray(entries)) return raw;
  const managedFields = entries.map(({ manager, operation, time, subresource, fieldsV1 }) => ({
    manager,
    operation,
    time,
    ...(subresource ? { subresource } : {}),
    ...(fieldsV1 ? { fieldsV1: compactFields(fieldsV1) } : {}),
  }));
  return { ...raw, metadata: { ...raw.metadata, managedFields } };
}

function compactFields(fieldsV1: Record<string, unknown>): Record<string, unknown> {
  const top = Object.fromEntries(Object.keys(fieldsV1).map((key) => [key, {}]));
  const annotations = (fieldsV1["f:metadata"] as { "f:annotations"?: object } | undefined)?.["f:annotations"];
  if (annotations && typeof annotations === "object") {
    top["f:metadata"] = {
      "f:annotations": Object.fromEntries(Object.keys(annotations).map((key) => [key, {}])),
    };
  }
  return top;
}

export function objectKey(obj: { metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly addHandlers: AddHandler<T>[] = [];
  private readonly updateHandlers: UpdateHandler<T>[] = [];
  private readonly deleteHandlers: DeleteHandler<T>[] = [];
  /** The priority of each handler, index for index with the lists above. */
  private readonly priorities = new Map<unknown[], number[]>();
  private readonly syncWaiters: (() => void)[] = [];
  private resourceVersion = "";
  private synced = false;
  /** Why the last LIST or WATCH failed; cleared by a successful LIST. */
  private failure: unknown;
  private stopped = true;
  private running: Promise<void> | undefined;
  private currentWatch: AbortController | undefined;
  private sleepTimer: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private readonly opts: Required<Omit<InformerOptions<T>, "labelSelector" | "fieldSelector" | "transform">> &
    InformerOptions<T>;

  constructor(
    private readonly client: KubeClient,
    options: InformerOptions<T>,
    private readonly log: Logger,
  ) {
    this.opts = {
      pageSize: 500,
      watchdogMs: 150_000,
      backoffInitialMs: 250,
      backoffMaxMs: 3_000,
      ...options,
    };
  }

  get name(): string {
    return this.opts.name;
  }

  get path(): string {
    return this.opts.path;
  }

  /** The last LIST or WATCH failure since the last successful LIST (readiness names it). */
  lastError(): unknown {
    return this.failure;
  }

  /**
   * Adds an event handler. Handlers run in the order of their `priority` (higher first; 0 by
   * default), then of registration: a latency-sensitive consumer of a shared informer (the
   * metadata forwarder) queues its key, and wakes its worker, before the others do.
   */
  on(event: "add", handler: AddHandler<T>, options?: HandlerOptions): this;
  on(event: "update", handler: UpdateHandler<T>, options?: HandlerOptions): this;
  on(event: "delete", handler: DeleteHandler<T>, options?: HandlerOptions): this;
  on(
    event: "add" | "update" | "delete",
    handler: AddHandler<T> | UpdateHandler<T>,
    { priority = 0 }: HandlerOptions = {},
  ): this {
    const list: unknown[] =
      event === "add" ? this.addHandlers : event === "update" ? this.updateHandlers : this.deleteHandlers;
    const priorities = this.priorities.get(list) ?? [];
    this.priorities.set(list, priorities);
    const at = priorities.findIndex((p) => p < priority);
    const index = at === -1 ? list.length : at;
    list.splice(index, 0, handler);
    priorities.splice(index, 0, priority);
    return this;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.currentWatch?.abort();
    if (this.sleepTimer) {
      clearTimeout(this.sleepTimer.timer);
      this.sleepTimer.resolve();
    }
    await this.running;
    informerMetrics.synced.set({ informer: this.name }, 0);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first LIST has been cached; rejects if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener("abort", () => reject(new Error(`${this.name}: stopped before sync`)), {
        once: true,
      });
    });
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  get size(): number {
    return this.cache.size;
  }

  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        const watchStarted = Date.now();
        const end = await this.watch();
        if (end === "stopped") break;
        // A watch the server closes at once is a failure in disguise: back off instead of spinning.
        if (end === "closed" && Date.now() - watchStarted < 1000) {
          failures++;
          await this.sleep(this.backoff(failures));
        } else {
          failures = 0;
        }
        informerMetrics.restarts.inc({ informer: this.name, reason: end });
        if (end === "gone") {
          this.log.info({ informer: this.name }, "resourceVersion expired (410 Gone); relisting");
          this.resourceVersion = "";
        } else if (end === "watchdog") {
          this.log.warn(
            { informer: this.name, silentMs: this.opts.watchdogMs },
            "watch silent; restarting it",
          );
        }
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof ApiError && error.code === 410) {
          informerMetrics.restarts.inc({ informer: this.name, reason: "gone" });
          this.resourceVersion = "";
          continue;
        }
        failures++;
        this.failure = error;
        informerMetrics.restarts.inc({ informer: this.name, reason: "error" });
        const delay = this.backoff(failures);
        this.log.warn(
          { informer: this.name, err: (error as Error).message, retryInMs: delay },
          "list/watch failed",
        );
        await this.sleep(delay);
      }
    }
  }

  /** Exponential backoff with jitter: a random delay in [½·d, d] where d doubles up to the cap. */
  private backoff(failures: number): number {
    const ceiling = Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** (failures - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepTimer = { timer: setTimeout(resolve, ms), resolve };
    });
  }

  private query(extra: Record<string, string>): Record<string, string | undefined> {
    return { ...extra, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  private toCached(raw: KubeObject): T {
    const compact = compactManagedFields(raw);
    return this.opts.transform ? this.opts.transform(compact) : (compact as T);
  }

  /** Full LIST, page by page; replaces the cache and tells handlers what changed meanwhile. */
  private async relist(): Promise<void> {
    informerMetrics.relists.inc({ informer: this.name });
    const seen = new Set<string>();
    let continueToken = "";
    let resourceVersion = "";
    do {
      const page = await this.client.list<KubeObject>(
        this.opts.path,
        this.query({
          limit: String(this.opts.pageSize),
          ...(continueToken ? { continue: continueToken } : {}),
        }),
      );
      for (const item of page.items ?? []) {
        const obj = this.toCached(item);
        const key = objectKey(obj);
        seen.add(key);
        this.upsert(key, obj);
      }
      continueToken = page.metadata.continue ?? "";
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      if (this.stopped) return;
    } while (continueToken);
    for (const [key, obj] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emitDelete(obj);
      }
    }
    this.resourceVersion = resourceVersion;
    this.failure = undefined;
    informerMetrics.objects.set({ informer: this.name }, this.cache.size);
    if (!this.synced) {
      this.synced = true;
      informerMetrics.synced.set({ informer: this.name }, 1);
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private upsert(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) this.emit(this.addHandlers, obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      for (const handler of this.updateHandlers) this.safely(() => handler(old, obj));
    }
  }

  private emit(handlers: AddHandler<T>[], obj: T): void {
    for (const handler of handlers) this.safely(() => handler(obj));
  }

  private emitDelete(obj: T): void {
    for (const handler of this.deleteHandlers) this.safely(() => handler(obj));
  }

  private safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.log.error({ informer: this.name, err: (error as Error).message }, "event handler threw");
    }
  }

  /** One WATCH request; resolves with why it ended, rejects on transport or HTTP errors. */
  private async watch(): Promise<WatchEnd> {
    // The server ends the watch after 5-10 minutes (as client-go asks), spreading relists.
    const timeoutSeconds = String(300 + Math.floor(Math.random() * 300));
    const abort = new AbortController();
    this.currentWatch = abort;
    let watchdog: NodeJS.Timeout | undefined;
    const armWatchdog = (fire: () => void) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(fire, this.opts.watchdogMs);
    };
    try {
      if (this.stopped) return "stopped";
      let silent = false;
      armWatchdog(() => {
        silent = true;
        abort.abort();
      });
      let res;
      try {
        res = await this.client.stream(
          this.opts.path,
          this.query({
            watch: "1",
            allowWatchBookmarks: "true",
            resourceVersion: this.resourceVersion,
            timeoutSeconds,
          }),
          abort.signal,
        );
      } catch (error) {
        if (this.stopped) return "stopped";
        if (silent) return "watchdog";
        if (error instanceof ApiError && error.code === 410) return "gone";
        throw error;
      }
      return await new Promise<WatchEnd>((resolve, reject) => {
        let settled = false;
        const finish = (end: WatchEnd | Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(watchdog);
          // A watch the server ended leaves its connection to the pool; any other end closes it.
          if (!res.complete) res.destroy();
          if (end instanceof Error) reject(end);
          else resolve(this.stopped ? "stopped" : end);
        };
        const onSilence = () => finish("watchdog");
        armWatchdog(onSilence);
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          armWatchdog(onSilence);
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.indexOf("\n")) !== -1) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim() === "") continue;
            const end = this.handleWatchLine(line);
            if (end) {
              finish(end);
              return;
            }
          }
        });
        res.on("end", () => finish("closed"));
        res.on("error", (error) => finish(this.stopped ? "stopped" : error));
        res.on("close", () => finish("closed"));
        // stop() aborts the request: the response closes.
        if (this.stopped) finish("stopped");
      });
    } finally {
      clearTimeout(watchdog);
      if (this.currentWatch === abort) this.currentWatch = undefined;
    }
  }

  private handleWatchLine(line: string): WatchEnd | Error | undefined {
    let event: { type: string; object: KubeObject & { code?: number; message?: string } };
    try {
      event = JSON.parse(line);
    } catch {
      this.log.warn({ informer: this.name }, "unparsable watch line; restarting the watch");
      return "closed";
    }
    informerMetrics.events.inc({ informer: this.name, type: event.type });
    const rv = event.object?.metadata?.resourceVersion;
    switch (event.type) {
      case "ADDED":
      case "MODIFIED": {
        const obj = this.toCached(event.object);
        this.upsert(objectKey(obj), obj);
        break;
      }
      case "DELETED": {
        const obj = this.toCached(event.object);
        const key = objectKey(obj);
        const cached = this.cache.get(key);
        this.cache.delete(key);
        this.emitDelete(cached ?? obj);
        break;
      }
      case "BOOKMARK":
        break;
      case "ERROR":
        if (event.object.code === 410) return "gone";
        return new ApiError(
          event.object.code ?? 500,
          `watch error: ${event.object.message ?? "unknown"}`,
          event.object,
        );
      default:
        return undefined;
    }
    if (rv) this.resourceVersion = rv;
    informerMetrics.objects.set({ informer: this.name }, this.cache.size);
    return undefined;
  }
}
