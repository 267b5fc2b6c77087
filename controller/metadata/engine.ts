// The engine both metadata forwarders share (upstream's InformerWorkQueue), on the controller
// builder: a watch is added only after a SelfSubjectAccessReview allows list and watch on its
// explicit API group (cluster-wide, or in the one namespace of a namespaced watch), and
// discovery says the resource is served; a watch that is not is skipped, logged and reported,
// and the others work. Heartbeats are the manager's periodic runs of beat() (./setup.ts).
import type { WatchInfo } from "../../lib/metadata";
import { canIAll } from "../kube/access-review";
import { describeKubeError, type KubeClient } from "../kube/client";
import { Controller, type KeyCodec } from "../kube/controller";
import type { Informer, KubeObject } from "../kube/informer";
import type { InformerFactory } from "../kube/informer-factory";
import type { Logger } from "../log";

export interface WatchTarget {
  /** API group for the access review: "datadoghq.com" for the CRDs, "" for core resources. */
  group: string;
  /** Plural resource name, e.g. "datadogagents". */
  resource: string;
  /** Prefix of this watch's queue keys, e.g. "DatadogAgent". */
  kind: string;
  /** Cluster-wide collection path, e.g. "/apis/datadoghq.com/v2alpha1/datadogagents". */
  path: string;
  /** Watch this namespace only (a namespaced informer and access review); absent: all namespaces. */
  namespace?: string;
  /** Name of the shared informer (defaults to the resource: one cache per resource for every feature). */
  informerName?: string;
  labelSelector?: string;
  /** What the shared informer keeps of each object (the same for every user of that informer). */
  transform?: (obj: KubeObject) => KubeObject;
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

export interface EngineDeps {
  client: KubeClient;
  informers: InformerFactory;
  log: Logger;
}

export interface EngineOptions {
  /** Controller name in metrics and logs, e.g. "metadata-crd". */
  name: string;
  workers: number;
  /** Per-call timeout of `process` (upstream: 30 s). */
  timeoutMs?: number;
  targets: WatchTarget[];
  /**
   * Reconciles one object, level-triggered: the cached object is read with get(); when it is
   * gone, forget it. Throw to retry with backoff.
   */
  process(ref: ObjectRef, ctx: ProcessContext): Promise<void>;
  /** Each heartbeat tick. */
  heartbeat?(): void;
}

export interface EngineStatus {
  active: WatchInfo[];
  denied: WatchInfo[];
  queueDepth: number;
  lastHeartbeatAt: Date | undefined;
}

/** The engine's queue keys: "<Kind>/<namespace>/<name>" ("" namespace for a cluster-scoped object). */
export const objectRefKeys: KeyCodec<ObjectRef> = {
  encode: (ref) => `${ref.kind}/${ref.namespace}/${ref.name}`,
  decode: (text) => {
    const [kind, namespace, name, ...rest] = text.split("/");
    if (!kind || namespace === undefined || !name || rest.length > 0) return undefined;
    return { kind, namespace, name };
  },
};

/** Ahead of every other handler on a shared informer (Informer.on's priority). */
const FORWARDER_PRIORITY = 100;

interface Watch {
  target: WatchTarget;
  informer: Informer<KubeObject>;
}

/** A watch's key in the engine: its kind, and its namespace when it has one. */
const watchKey = (kind: string, namespace?: string) => (namespace ? `${kind}@${namespace}` : kind);

/** The collection path of `target`, in its namespace when it has one: /api/v1/namespaces/<ns>/secrets. */
function collectionPath(target: WatchTarget): string {
  if (!target.namespace) return target.path;
  const slash = target.path.lastIndexOf("/");
  return `${target.path.slice(0, slash)}/namespaces/${target.namespace}${target.path.slice(slash)}`;
}

export class ForwarderEngine {
  private readonly controller: Controller<ObjectRef>;
  // A watch stays registered on its shared informer for the life of the process (an informer
  // cannot drop handlers); while the engine is stopped it queues nothing.
  private readonly watches = new Map<string, Watch>();
  private denied: WatchInfo[] = [];
  private lastHeartbeatAt: Date | undefined;
  private running = false;

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: EngineOptions,
  ) {
    this.controller = new Controller({
      name: options.name,
      keyCodec: objectRefKeys,
      workers: options.workers,
      timeoutMs: options.timeoutMs ?? 30_000,
      reconcile: async (ref, signal, attempt) => options.process(ref, { signal, attempt }),
      log: deps.log,
    });
  }

  /** Adds the watches it may (re-checking skipped ones), then starts the controller. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.denied = [];
    // One at a time, so watches are listed in a stable order.
    for (const target of this.options.targets) await this.addWatch(target);
    this.controller.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.controller.stop();
  }

  /** The cached object, as the informer last saw it. */
  get(ref: ObjectRef): KubeObject | undefined {
    const watch = this.watchOf(ref.kind, ref.namespace);
    return watch?.informer.get(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
  }

  /** Cached objects of a kind in a namespace (e.g. other revisions of a Helm release). */
  list(kind: string, namespace: string): KubeObject[] {
    return this.watchOf(kind, namespace)?.informer.list(namespace) ?? [];
  }

  private watchOf(kind: string, namespace: string): Watch | undefined {
    return this.watches.get(watchKey(kind, namespace)) ?? this.watches.get(kind);
  }

  enqueue(ref: ObjectRef): void {
    this.controller.enqueue(ref);
  }

  /** True when nothing is queued, waiting for a retry, or being processed. */
  isIdle(): boolean {
    return this.controller.isIdle();
  }

  status(): EngineStatus {
    return {
      active: this.running ? [...this.watches.values()].map((w) => watchInfo(w.target)) : [],
      denied: [...this.denied],
      queueDepth: this.controller.queueDepth,
      lastHeartbeatAt: this.lastHeartbeatAt,
    };
  }

  /** Runs one heartbeat now (while running; the manager calls it every heartbeat period). */
  beat(): void {
    if (!this.running) return;
    this.lastHeartbeatAt = new Date();
    this.options.heartbeat?.();
  }

  private async addWatch(target: WatchTarget): Promise<void> {
    const key = watchKey(target.kind, target.namespace);
    if (this.watches.has(key)) return;
    const { kind, group, resource, namespace } = target;
    const problem = await this.watchProblem(target);
    if (problem) {
      this.denied.push(watchInfo(target, problem));
      this.deps.log.warn({ kind, group, resource, namespace, reason: problem }, "watch skipped");
      return;
    }
    const name = target.informerName ?? target.resource;
    const informer = this.deps.informers.informer({
      name: namespace ? `${name}-${namespace}` : name,
      path: collectionPath(target),
      labelSelector: target.labelSelector,
      transform: target.transform,
    });
    this.controller.watch({
      informer,
      // The DatadogAgent informer is shared with the agents reconciler: the send goes first.
      priority: FORWARDER_PRIORITY,
      keys: (obj) =>
        target.filter && !target.filter(obj)
          ? []
          : [{ kind: target.kind, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name }],
    });
    this.watches.set(key, { target, informer });
    this.deps.log.info({ kind, group, resource, namespace }, "watch registered");
  }

  /** Why this watch cannot work (no permission, resource not served), or undefined. */
  private async watchProblem(target: WatchTarget): Promise<string | undefined> {
    const { group, resource, namespace } = target;
    const name = `${resource}${group ? `.${group}` : ""}`;
    try {
      const answer = await canIAll(this.deps.client, [
        { verb: "list", group, resource, namespace },
        { verb: "watch", group, resource, namespace },
      ]);
      if (!answer.allowed) {
        const verbs = answer.denied.map((q) => q.verb).join(" and ");
        const scope = namespace ? `in namespace ${namespace}` : "cluster-wide";
        return `no permission to watch ${name} (${verbs} denied ${scope})`;
      }
      // A CRD that is not installed would keep the controller from ever syncing its caches.
      const groupVersion = target.path.slice(0, target.path.lastIndexOf("/"));
      const served = await this.deps.client.getIfExists<{ resources?: { name: string }[] }>(groupVersion);
      if (!served?.resources?.some((r) => r.name === resource)) {
        return `${name} is not served by the API server (is its CRD installed?)`;
      }
      return undefined;
    } catch (error) {
      return `could not check access to ${name}: ${describeKubeError(error)}`;
    }
  }
}

function watchInfo(target: WatchTarget, reason?: string): WatchInfo {
  return {
    kind: target.kind,
    group: target.group,
    resource: target.resource,
    ...(target.namespace ? { namespace: target.namespace } : {}),
    ...(reason ? { reason } : {}),
  };
}
