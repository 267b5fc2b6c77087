// The lazy autoscaling gate (datadog-agent PR #51084; #50305, closed, proposed it first): a latch that only opens, opened
// by the first DatadogPodAutoscaler or DatadogPodAutoscalerClusterProfile this process sees
// (the informers' initial list counts), plus a second latch marking "pod collection synced".
// Deleting every autoscaler does not close it: the pod cache, once paid for, stays until the
// controller restarts (as upstream), so autoscalers that come and go never thrash a relist.
// Also here: the pod collection the gate starts, and the report of its opening.
import { DPA_API_VERSION } from "../../lib/autoscaling";
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import type { EventRecorder } from "../kube/events";
import type { Runnable } from "../kube/manager";
import type { Logger } from "../log";
import { recordAudit } from "../store/audit";
import type { PodCache } from "./pod-cache";

/** A one-way latch: open() is idempotent; wait() resolves true once open, false if cancelled. */
export class Latch {
  private opened = false;
  private readonly waiters = new Set<(open: boolean) => void>();

  /** Opens the latch; returns true only for the call that opened it. */
  open(): boolean {
    if (this.opened) return false;
    this.opened = true;
    for (const resolve of this.waiters) resolve(true);
    this.waiters.clear();
    return true;
  }

  isOpen(): boolean {
    return this.opened;
  }

  wait(signal?: AbortSignal): Promise<boolean> {
    if (this.opened) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiters.delete(done);
        resolve(false);
      };
      const done = (open: boolean) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(open);
      };
      this.waiters.add(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** The object whose add event opened the gate. */
export interface GateOpener {
  kind: "DatadogPodAutoscaler" | "DatadogPodAutoscalerClusterProfile";
  namespace?: string;
  name: string;
  uid?: string;
}

export interface GateState {
  open: boolean;
  openedAt: Date | null;
  openedBy: GateOpener | null;
  podCollectionSynced: boolean;
  podCollectionSyncedAt: Date | null;
}

export class AutoscalingGate {
  private readonly enabled = new Latch();
  private readonly podsSynced = new Latch();
  private openedAt: Date | null = null;
  private openedBy: GateOpener | null = null;
  private podsSyncedAt: Date | null = null;
  private readonly openListeners: ((opener: GateOpener) => void)[] = [];

  /** Opens the gate (first call wins); returns true for the call that opened it. */
  enable(by: GateOpener): boolean {
    if (this.enabled.isOpen()) return false;
    this.openedAt = new Date();
    this.openedBy = by;
    this.enabled.open();
    for (const listener of this.openListeners) listener(by);
    return true;
  }

  isEnabled(): boolean {
    return this.enabled.isOpen();
  }

  /** Resolves true once the gate is open, false if `signal` aborts first. */
  waitForEnable(signal?: AbortSignal): Promise<boolean> {
    return this.enabled.wait(signal);
  }

  onOpen(listener: (opener: GateOpener) => void): void {
    this.openListeners.push(listener);
  }

  markPodCollectionSynced(): void {
    if (this.podsSynced.open()) this.podsSyncedAt = new Date();
  }

  isPodCollectionSynced(): boolean {
    return this.podsSynced.isOpen();
  }

  waitForPodCollectionSynced(signal?: AbortSignal): Promise<boolean> {
    return this.podsSynced.wait(signal);
  }

  state(): GateState {
    return {
      open: this.enabled.isOpen(),
      openedAt: this.openedAt,
      openedBy: this.openedBy,
      podCollectionSynced: this.podsSynced.isOpen(),
      podCollectionSyncedAt: this.podsSyncedAt,
    };
  }
}

/** "namespace/name" of a namespaced opener, the name of a cluster-scoped one. */
export function openerName(opener: GateOpener): string {
  return opener.namespace ? `${opener.namespace}/${opener.name}` : opener.name;
}

/**
 * The pod cache behind the gate, on every replica: started when the gate opens (unless a
 * feature needed it from the start: spot scheduling), and pod collection marked synced once its
 * cache has synced.
 */
export class PodCollection implements Runnable {
  readonly name = "autoscaling-pod-collection";
  readonly leaderOnly = false;
  private collecting: AbortController | undefined;

  constructor(
    private readonly gate: AutoscalingGate,
    private readonly pods: PodCache,
    private readonly startedEagerly: boolean,
    private readonly log: Logger,
  ) {}

  start(): void {
    const collecting = new AbortController();
    this.collecting = collecting;
    void this.collect(collecting.signal).then((synced) => {
      if (synced) this.log.info({ pods: this.pods.size }, "pod collection synced");
    });
  }

  stop(): void {
    this.collecting?.abort();
  }

  /** Whether pod collection got to synced before `signal`. */
  private async collect(signal: AbortSignal): Promise<boolean> {
    if (!this.startedEagerly) {
      if (!(await this.gate.waitForEnable(signal))) return false;
      this.pods.start();
    }
    try {
      await this.pods.waitForSync(signal);
    } catch {
      return false;
    }
    this.gate.markPodCollectionSynced();
    return true;
  }
}

export interface GateReport {
  events: EventRecorder;
  db: Database;
  clusterId: string;
  controllerId: string;
  podsNeededFromStart: boolean;
  log: Logger;
}

/** The gate opening is a decision users look for: a log line, an Event and an audit row. */
export async function reportGateOpened(report: GateReport, opener: GateOpener): Promise<void> {
  const { events, db, clusterId, controllerId, podsNeededFromStart, log } = report;
  const name = openerName(opener);
  const note = podsNeededFromStart
    ? `first autoscaler seen by ${controllerId}: autoscaling gate open (the pod cache already ran for spot scheduling)`
    : `first autoscaler seen by ${controllerId}: autoscaling gate open, starting the cluster-wide pod watch`;
  log.info({ openedBy: `${opener.kind}/${name}` }, "autoscaling gate open");
  events.record({
    regarding: {
      apiVersion: DPA_API_VERSION,
      kind: opener.kind,
      name: opener.name,
      namespace: opener.namespace,
      uid: opener.uid,
    },
    type: "Normal",
    reason: "AutoscalingGateOpened",
    action: "StartPodCollection",
    note,
  });
  await withRetry(() =>
    db.$transaction((tx) =>
      recordAudit(tx, clusterId, {
        actor: "controller",
        action: "autoscaling.gate-opened",
        targetKind: opener.kind,
        target: name,
        details: { controllerId, podStoreEager: podsNeededFromStart },
      }),
    ),
  ).catch((error: Error) => log.warn({ err: error.message }, "audit row not written"));
}
