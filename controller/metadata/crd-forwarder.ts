// The CRD forwarder: DatadogAgent, DatadogAgentInternal and DatadogAgentProfile metadata sent
// within milliseconds of a change. A snapshot hash per object makes updates that do not touch
// spec, labels or annotations (status, resourceVersion, managedFields) send nothing; the
// heartbeat re-sends every snapshot.
import { objectRefKeys, type ObjectRef, type ProcessContext, type WatchTarget } from "./engine";
import { Forwarder, type ForwarderDeps } from "./forwarder";
import { buildCrdPayload, crdInstanceFrom, hashCrdInstance, withoutLastApplied } from "./payloads";

/**
 * The DatadogAgent informer is shared with the experiments reconciler: same name, same path,
 * same transform (controller/agents/setup.ts).
 */
const CRD_WATCHES: WatchTarget[] = [
  {
    group: "datadoghq.com",
    resource: "datadogagents",
    kind: "DatadogAgent",
    path: "/apis/datadoghq.com/v2alpha1/datadogagents",
    transform: withoutLastApplied,
  },
  {
    group: "datadoghq.com",
    resource: "datadogagentinternals",
    kind: "DatadogAgentInternal",
    path: "/apis/datadoghq.com/v1alpha1/datadogagentinternals",
    transform: withoutLastApplied,
  },
  {
    group: "datadoghq.com",
    resource: "datadogagentprofiles",
    kind: "DatadogAgentProfile",
    path: "/apis/datadoghq.com/v1alpha1/datadogagentprofiles",
    transform: withoutLastApplied,
  },
];

interface Snapshot {
  ref: ObjectRef;
  uid: string;
  /** "" after a failed send, so the retry sends again. */
  hash: string;
}

export class CrdForwarder extends Forwarder {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly heartbeatDue = new Set<string>();

  constructor(deps: ForwarderDeps) {
    super(deps, "metadata-crd", CRD_WATCHES);
  }

  /** Whether a snapshot of this object is kept (what a heartbeat would re-send). */
  hasSnapshot(ref: ObjectRef): boolean {
    return this.snapshots.has(objectRefKeys.encode(ref));
  }

  protected forget(): void {
    this.snapshots.clear();
    this.heartbeatDue.clear();
  }

  protected snapshotCount(): number {
    return this.snapshots.size;
  }

  protected async sync(ref: ObjectRef, { signal, attempt }: ProcessContext): Promise<void> {
    const key = objectRefKeys.encode(ref);
    const obj = this.engine.get(ref);
    if (!obj) {
      // Deleted: nothing to send, nothing to keep (a re-create under the same name is cached).
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
    this.snapshots.set(key, { ref, uid: instance.uid, hash });
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

  protected heartbeat(): void {
    for (const [key, snapshot] of this.snapshots) {
      this.heartbeatDue.add(key);
      this.engine.enqueue(snapshot.ref);
    }
  }
}
