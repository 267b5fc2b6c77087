// THE cluster-wide pod cache of the controller, shared by every feature that reads pods (spot
// scheduling, the lazy autoscaling gate). One shared informer on /api/v1/pods
// whose transform keeps only what those consumers read, so a large cluster costs little memory.
//
// Kept per pod (everything else, managedFields and most labels included, is dropped):
//   metadata.name, namespace, uid, resourceVersion   identity, informer bookkeeping
//   metadata.creationTimestamp                        spot: how long a spot pod has been Pending
//   metadata.deletionTimestamp                        spot: a terminating pod no longer counts
//   metadata.labels, only the keys in KEPT_LABELS     spot-assigned (spot or on-demand), pod-template-hash (ReplicaSet → Deployment)
//   metadata.ownerReferences, the controller one only {apiVersion, kind, name, uid}: the pod's direct owner
//   spec.nodeName                                     where it runs (dashboard, tests)
//   spec.nodeSelector, only the capacity-type key     whether the pod is pinned to spot capacity
//   status.phase                                      Pending / Running / Succeeded / Failed
//
// The cache is created and started on demand: spot scheduling starts it with the controller;
// a feature that needs pods only later (the lazy autoscaling gate) starts it then. Starting it
// twice is harmless, and a cache nobody started makes no request at all.
//
// Workload autoscaling reads only how many pods are cached (fleetdeck computes no
// recommendation), so it adds no field. The list is repeated in docs/autoscaling.md ("The pod cache").
import type { Informer, KubeObject } from "../kube/informer";
import type { InformerFactory } from "../kube/informer-factory";
import { CAPACITY_TYPE_KEY, SPOT_ASSIGNED_LABEL } from "../../lib/spot";
import { estimateMapEntryBytes, estimateRetainedBytes } from "./heap-estimate";

export const KEPT_LABELS = [SPOT_ASSIGNED_LABEL, "pod-template-hash"] as const;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export interface CachedPod extends KubeObject {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    /** The controller owner reference only (at most one). */
    ownerReferences?: OwnerReference[];
  };
  spec: { nodeName?: string; nodeSelector?: Record<string, string> };
  status: { phase?: string };
}

interface RawPod {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    ownerReferences?: (OwnerReference & { controller?: boolean })[];
  };
  spec?: { nodeName?: string; nodeSelector?: Record<string, string> };
  status?: { phase?: string };
}

/** The transform: a pod reduced to the fields listed above. */
export function slimPod(raw: KubeObject): CachedPod {
  const pod = raw as RawPod;
  const m = pod.metadata ?? {};
  const labels: Record<string, string> = {};
  for (const key of KEPT_LABELS) {
    const value = m.labels?.[key];
    if (value !== undefined) labels[key] = value;
  }
  const owner = m.ownerReferences?.find((o) => o.controller);
  const capacityType = pod.spec?.nodeSelector?.[CAPACITY_TYPE_KEY];
  return {
    metadata: {
      name: m.name ?? "",
      namespace: m.namespace ?? "",
      uid: m.uid ?? "",
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid },
            ],
          }
        : {}),
    },
    spec: {
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      ...(capacityType !== undefined ? { nodeSelector: { [CAPACITY_TYPE_KEY]: capacityType } } : {}),
    },
    status: { phase: pod.status?.phase },
  };
}

type Handlers = {
  add: ((pod: CachedPod) => void)[];
  update: ((oldPod: CachedPod, newPod: CachedPod) => void)[];
  delete: ((pod: CachedPod) => void)[];
};

/** How many cached pods the memory estimate looks at (it scales their average up). */
const ESTIMATE_SAMPLE = 256;

export class PodCache {
  private informer: Informer<CachedPod> | undefined;
  /** Resolved when start() creates the informer. */
  private readonly created: Promise<void>;
  private onCreated: () => void = () => undefined;
  private startedAt: Date | undefined;
  private transform = true;
  private readonly handlers: Handlers = { add: [], update: [], delete: [] };

  constructor(private readonly informers: InformerFactory) {
    this.created = new Promise((resolve) => (this.onCreated = resolve));
  }

  /**
   * Caches whole pods instead of slim ones. Only the gate-memory benchmark wants this (to
   * measure what the transform saves); consumers still see the fields they read.
   */
  keepWholePods(): void {
    if (this.informer) throw new Error("pods: the transform cannot change once the cache is created");
    this.transform = false;
  }

  /** Creates the shared pod informer (once) and starts its LIST and WATCH. */
  start(): void {
    if (!this.informer) {
      this.informer = this.informers.informer<CachedPod>({
        name: this.transform ? "pods" : "pods-untransformed",
        path: "/api/v1/pods",
        ...(this.transform ? { transform: slimPod } : {}),
      });
      for (const h of this.handlers.add) this.informer.on("add", h);
      for (const h of this.handlers.update) this.informer.on("update", h);
      for (const h of this.handlers.delete) this.informer.on("delete", h);
      this.onCreated();
    }
    this.startedAt ??= new Date();
    this.informer.start();
  }

  isStarted(): boolean {
    return this.startedAt !== undefined;
  }

  /** When start() was first called, for status pages. */
  started(): Date | undefined {
    return this.startedAt;
  }

  hasSynced(): boolean {
    return this.informer?.hasSynced() ?? false;
  }

  /** Resolves once the first LIST is cached (waits for start() if nobody called it yet). */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (!this.informer) {
      const stopped = new Promise<never>((_, reject) => {
        const abort = () => reject(new Error("pods: stopped before sync"));
        if (signal?.aborted) abort();
        signal?.addEventListener("abort", abort, { once: true });
      });
      stopped.catch(() => undefined);
      await Promise.race([this.created, stopped]);
    }
    await this.informer!.waitForSync(signal);
  }

  /** Its informer once started, for readiness. */
  caches(): Informer<CachedPod>[] {
    return this.informer ? [this.informer] : [];
  }

  on(event: "add", handler: (pod: CachedPod) => void): this;
  on(event: "update", handler: (oldPod: CachedPod, newPod: CachedPod) => void): this;
  on(event: "delete", handler: (pod: CachedPod) => void): this;
  on(event: keyof Handlers, handler: (a: CachedPod, b: CachedPod) => void): this {
    (this.handlers[event] as ((a: CachedPod, b: CachedPod) => void)[]).push(handler);
    // Handlers added after start() go straight to the informer.
    if (this.informer) {
      if (event === "add") this.informer.on("add", handler as (pod: CachedPod) => void);
      else if (event === "update") this.informer.on("update", handler);
      else this.informer.on("delete", handler as (pod: CachedPod) => void);
    }
    return this;
  }

  get(namespace: string, name: string): CachedPod | undefined {
    return this.informer?.get(`${namespace}/${name}`);
  }

  list(namespace?: string): CachedPod[] {
    return this.informer?.list(namespace) ?? [];
  }

  get size(): number {
    return this.informer?.size ?? 0;
  }

  /** Approximate heap the cache retains (heap-estimate.ts), from a sample of its pods. */
  estimatedBytes(): number {
    const size = this.size;
    if (size === 0) return 0;
    let sampled = 0;
    let bytes = 0;
    for (const key of this.informer!.keys()) {
      bytes += estimateMapEntryBytes(key) + estimateRetainedBytes(this.informer!.get(key));
      if (++sampled >= ESTIMATE_SAMPLE) break;
    }
    return Math.round((bytes / sampled) * size);
  }
}

const caches = new WeakMap<InformerFactory, PodCache>();

/** The controller's one pod cache (one per informer factory, i.e. per controller process). */
export function podCache(informers: InformerFactory): PodCache {
  let cache = caches.get(informers);
  if (!cache) {
    cache = new PodCache(informers);
    caches.set(informers, cache);
  }
  return cache;
}
