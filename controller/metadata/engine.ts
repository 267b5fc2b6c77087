// The shared engine of the metadata forwarders (upstream's InformerWorkQueue), built on
// controller/kube: shared informers feed a WorkQueue with N workers and a per-call timeout;
// an optional ticker drives heartbeats. A watch is registered only after a
// SelfSubjectAccessReview allows list and watch cluster-wide on its explicit API group; a denied
// one is skipped, logged and reported, and the others work.
import type { KubeConfig } from "@kubernetes/client-node";
import type { WatchInfo } from "../../lib/metadata";
import { canIAll } from "../kube/access-review";
import { describeKubeError } from "../kube/client";
import type { Informer, KubeObject } from "../kube/informer";
import type { InformerFactory } from "../kube/informer-factory";
import { WorkQueue } from "../kube/workqueue";
import type { Logger } from "../log";

export interface WatchTarget {
  /** API group for the access review: "datadoghq.com" for the CRDs, "" for core resources. */
  group: string;
  /** Plural resource name, e.g. "datadogagents". */
  resource: string;
  /** Prefix of this watch's queue keys, e.g. "DatadogAgent". */
  kind: string;
  /** Collection path, e.g. "/apis/datadoghq.com/v2alpha1/datadogagents". */
  path: string;
  /** Name of the shared informer (defaults to the resource: one cache per resource for every feature). */
  informerName?: string;
  labelSelector?: string;
  /** Only objects it accepts are queued. */
  filter?: (obj: KubeObject) => boolean;
}

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface ProcessContext {
  signal: AbortSignal;
  /** 1 on a first try; n on the n-th consecutive try after failures. */
  attempt: number;
}

export interface EngineHandlers {
  /** An add or update: read the object (get) and act; throw to retry with backoff. */
  process(ref: ObjectRef, ctx: ProcessContext): Promise<void>;
  /** A delete: forget what is kept about the object. */
  remove(ref: ObjectRef): void;
  /** Each heartbeat tick. */
  heartbeat?(): void;
}

export interface EngineOptions {
  /** Queue name in metrics and logs, e.g. "metadata-crd". */
  name: string;
  workers: number;
  /** Per-call timeout of `process` (upstream: 30 s). */
  timeoutMs?: number;
  /** 0 or undefined: no heartbeat. */
  heartbeatMs?: number;
}

export interface EngineStatus {
  active: WatchInfo[];
  denied: WatchInfo[];
  queueDepth: number;
  lastHeartbeatAt: Date | undefined;
}

const DELETE_PREFIX = "delete:";

export function encodeKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** Splits "<Kind>/<ns>/<name>" or "delete:<Kind>/<ns>/<name>"; undefined when malformed. */
export function decodeKey(key: string): { ref: ObjectRef; deleted: boolean } | undefined {
  const deleted = key.startsWith(DELETE_PREFIX);
  const parts = (deleted ? key.slice(DELETE_PREFIX.length) : key).split("/");
  if (parts.length !== 3 || !parts[0] || !parts[2]) return undefined;
  return { ref: { kind: parts[0], namespace: parts[1]!, name: parts[2] }, deleted };
}

interface Watch {
  target: WatchTarget;
  informer: Informer<KubeObject>;
}

export class InformerWorkQueue {
  private queue: WorkQueue | undefined;
  // Handlers stay registered on the shared informers for the life of the process (an informer
  // cannot drop them); while the engine is stopped they queue nothing.
  private readonly watches = new Map<string, Watch>();
  private denied: WatchInfo[] = [];
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastHeartbeatAt: Date | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly informers: InformerFactory,
    private readonly log: Logger,
    private readonly options: EngineOptions,
    private readonly handlers: EngineHandlers,
  ) {}

  /** Starts the workers, registers the watches it may (re-checking denied ones), and the heartbeat. */
  async start(targets: WatchTarget[]): Promise<void> {
    if (this.queue) return;
    const queue = new WorkQueue(
      { name: this.options.name, workers: this.options.workers, timeoutMs: this.options.timeoutMs ?? 30_000 },
      this.log,
    );
    this.queue = queue;
    queue.start((key, signal) => this.dispatch(queue, key, signal));
    this.denied = [];
    // One at a time, so watches are listed in a stable order.
    for (const target of targets) await this.addWatch(target);
    if (this.options.heartbeatMs) {
      this.heartbeatTimer = setInterval(() => this.beat(), this.options.heartbeatMs);
      this.heartbeatTimer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const queue = this.queue;
    this.queue = undefined;
    await queue?.shutdown();
  }

  /**
   * Watches `target` if list and watch are allowed cluster-wide; returns whether it does.
   * Already-cached objects are queued too: a shared informer that is already running (or a
   * leadership regained) sends no add events for them.
   */
  async addWatch(target: WatchTarget): Promise<boolean> {
    let watch = this.watches.get(target.kind);
    if (!watch) {
      const denial = await this.accessDenial(target);
      if (denial) {
        this.denied.push(watchInfo(target, denial));
        this.log.warn(
          { kind: target.kind, group: target.group, resource: target.resource, reason: denial },
          "watch skipped",
        );
        return false;
      }
      const informer = this.informers.informer({
        name: target.informerName ?? target.resource,
        path: target.path,
        labelSelector: target.labelSelector,
      });
      informer
        .on("add", (obj) => this.enqueueEvent(target, obj, false))
        .on("update", (_old, obj) => this.enqueueEvent(target, obj, false))
        .on("delete", (obj) => this.enqueueEvent(target, obj, true));
      watch = { target, informer };
      this.watches.set(target.kind, watch);
      informer.start(); // no-op when the shared factory already started it
      this.log.info(
        { kind: target.kind, group: target.group, resource: target.resource },
        "watch registered",
      );
    }
    for (const obj of watch.informer.list()) this.enqueueEvent(target, obj, false);
    return true;
  }

  /** The cached object, as the informer last saw it. */
  get(ref: ObjectRef): KubeObject | undefined {
    const watch = this.watches.get(ref.kind);
    return watch?.informer.get(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
  }

  /** Cached objects of a kind in a namespace (e.g. other revisions of a Helm release). */
  list(kind: string, namespace: string): KubeObject[] {
    return this.watches.get(kind)?.informer.list(namespace) ?? [];
  }

  enqueue(key: string): void {
    this.queue?.add(key);
  }

  /** True when nothing is queued, waiting for a retry, or being processed. */
  isIdle(): boolean {
    return this.queue?.isIdle() ?? true;
  }

  status(): EngineStatus {
    return {
      active: this.queue ? [...this.watches.values()].map((w) => watchInfo(w.target)) : [],
      denied: [...this.denied],
      queueDepth: this.queue?.length ?? 0,
      lastHeartbeatAt: this.lastHeartbeatAt,
    };
  }

  /** Runs one heartbeat now (the ticker calls this). */
  beat(): void {
    if (!this.queue) return;
    this.lastHeartbeatAt = new Date();
    this.handlers.heartbeat?.();
  }

  private async accessDenial(target: WatchTarget): Promise<string | undefined> {
    const { group, resource } = target;
    try {
      const answer = await canIAll(this.kc, [
        { verb: "list", group, resource },
        { verb: "watch", group, resource },
      ]);
      if (answer.allowed) return undefined;
      const verbs = answer.denied.map((q) => q.verb).join(" and ");
      return `no permission to watch ${resource}${group ? `.${group}` : ""} (${verbs} denied cluster-wide)`;
    } catch (error) {
      return `could not check access to ${resource}${group ? `.${group}` : ""}: ${describeKubeError(error)}`;
    }
  }

  private enqueueEvent(target: WatchTarget, obj: KubeObject, deleted: boolean): void {
    if (!this.queue || (target.filter && !target.filter(obj))) return;
    const key = encodeKey({
      kind: target.kind,
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name,
    });
    this.queue.add(deleted ? `${DELETE_PREFIX}${key}` : key);
  }

  private async dispatch(queue: WorkQueue, key: string, signal: AbortSignal): Promise<void> {
    const decoded = decodeKey(key);
    if (!decoded) {
      this.log.warn({ key }, "malformed queue key dropped");
      return;
    }
    if (decoded.deleted) {
      this.handlers.remove(decoded.ref);
      return;
    }
    await this.handlers.process(decoded.ref, { signal, attempt: queue.numRequeues(key) + 1 });
  }
}

function watchInfo(target: WatchTarget, reason?: string): WatchInfo {
  return {
    kind: target.kind,
    group: target.group,
    resource: target.resource,
    ...(reason ? { reason } : {}),
  };
}
