// The CRD forwarder: DatadogAgent, DatadogAgentInternal and DatadogAgentProfile metadata sent
// within milliseconds of a change. A snapshot hash per object makes updates that do not touch
// spec, labels or annotations (status, resourceVersion, managedFields) send nothing; the
// heartbeat re-sends every snapshot.
import type { KubeConfig } from "@kubernetes/client-node";
import type { InformerFactory } from "../kube/informer-factory";
import type { Logger } from "../log";
import type { Delivery } from "./delivery";
import {
  encodeKey,
  InformerWorkQueue,
  type EngineStatus,
  type ObjectRef,
  type ProcessContext,
  type WatchTarget,
} from "./engine";
import { buildCrdPayload, crdInstanceFrom, hashCrdInstance, type SenderIdentity } from "./payloads";

/** The DatadogAgent informer is shared with the experiments reconciler: same name, same path. */
const CRD_WATCHES: WatchTarget[] = [
  {
    group: "datadoghq.com",
    resource: "datadogagents",
    kind: "DatadogAgent",
    path: "/apis/datadoghq.com/v2alpha1/datadogagents",
  },
  {
    group: "datadoghq.com",
    resource: "datadogagentinternals",
    kind: "DatadogAgentInternal",
    path: "/apis/datadoghq.com/v1alpha1/datadogagentinternals",
  },
  {
    group: "datadoghq.com",
    resource: "datadogagentprofiles",
    kind: "DatadogAgentProfile",
    path: "/apis/datadoghq.com/v1alpha1/datadogagentprofiles",
  },
];

interface Snapshot {
  uid: string;
  /** "" after a failed send, so the retry sends again. */
  hash: string;
}

export interface ForwarderDeps {
  kc: KubeConfig;
  informers: InformerFactory;
  log: Logger;
  delivery: Delivery;
  sender: SenderIdentity;
  workers: number;
  heartbeatMs: number;
}

export class CrdForwarder {
  readonly engine: InformerWorkQueue;
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly heartbeatDue = new Set<string>();

  constructor(private readonly deps: ForwarderDeps) {
    this.engine = new InformerWorkQueue(
      deps.kc,
      deps.informers,
      deps.log,
      { name: "metadata-crd", workers: deps.workers, heartbeatMs: deps.heartbeatMs },
      {
        process: (ref, ctx) => this.process(ref, ctx),
        remove: (ref) => this.remove(ref),
        heartbeat: () => this.heartbeat(),
      },
    );
  }

  start(): Promise<void> {
    return this.engine.start(CRD_WATCHES);
  }

  /** Stops and forgets every snapshot: whoever forwards next starts from what the cluster holds. */
  async stop(): Promise<void> {
    await this.engine.stop();
    this.snapshots.clear();
    this.heartbeatDue.clear();
  }

  status(): EngineStatus & { snapshots: number } {
    return { ...this.engine.status(), snapshots: this.snapshots.size };
  }

  /** Whether a snapshot of this object is kept (what a heartbeat would re-send). */
  hasSnapshot(ref: ObjectRef): boolean {
    return this.snapshots.has(encodeKey(ref));
  }

  get lastSendAt(): Date | undefined {
    return this.deps.delivery.lastSendAt;
  }

  private async process(ref: ObjectRef, { signal, attempt }: ProcessContext): Promise<void> {
    const key = encodeKey(ref);
    const obj = this.engine.get(ref);
    if (!obj) {
      // Gone (the delete key may still be queued): nothing to send, nothing to keep.
      this.snapshots.delete(key);
      this.heartbeatDue.delete(key);
      return;
    }
    const instance = crdInstanceFrom(ref.kind, obj);
    const hash = hashCrdInstance(instance);
    const previous = this.snapshots.get(key);
    const heartbeat = this.heartbeatDue.delete(key);
    if (previous?.hash === hash && !heartbeat) return;

    const reason =
      attempt > 1
        ? "retry"
        : previous?.hash === hash
          ? "heartbeat"
          : previous && previous.uid === instance.uid
            ? "update"
            : "create";
    // Stored before sending, so a heartbeat during the send cannot replay the older snapshot.
    this.snapshots.set(key, { uid: instance.uid, hash });
    try {
      await this.deps.delivery.send(
        { kind: ref.kind, object: `${ref.namespace}/${ref.name}`, reason, attempt },
        buildCrdPayload(instance, this.deps.sender),
        signal,
      );
    } catch (error) {
      const current = this.snapshots.get(key);
      if (current?.hash === hash) current.hash = "";
      throw error;
    }
  }

  private remove(ref: ObjectRef): void {
    // A delete followed at once by a re-create leaves the new object cached: keep its snapshot.
    if (this.engine.get(ref)) return;
    const key = encodeKey(ref);
    this.snapshots.delete(key);
    this.heartbeatDue.delete(key);
    this.deps.log.debug({ key }, "snapshot of a deleted object removed");
  }

  private heartbeat(): void {
    for (const key of this.snapshots.keys()) {
      this.heartbeatDue.add(key);
      this.engine.enqueue(key);
    }
  }
}
