// This process's gate in the store (one AutoscalingGate row per controller of the cluster):
// closed or open since when and by which object, the pod cache's start and sync, pods cached
// and its memory estimate. Every replica writes its own row every second when it changed
// (./setup.ts), with a Change row; the same facts go under /readyz?verbose.
import type { Database } from "../../../lib/db/open";
import { withRetry } from "../../../lib/db/open";
import { TOPICS } from "../../../lib/topics";
import { flushEveryRun } from "../../kube/periodic";
import { recordChange } from "../../store/changes";
import { openerName, type AutoscalingGate } from "../gate";
import type { PodCache } from "../pod-cache";

export interface GateSnapshot {
  workloadEnabled: boolean;
  podStoreEager: boolean;
  open: boolean;
  openedAt: Date | null;
  openedByKind: string | null;
  openedByName: string | null;
  podStoreStartedAt: Date | null;
  podCollectionSyncedAt: Date | null;
  podsCached: number;
  podStoreBytes: number;
}

export interface GateSettings {
  workloadEnabled: boolean;
  podStoreEager: boolean;
}

export function gateSnapshot(gate: AutoscalingGate, pods: PodCache, settings: GateSettings): GateSnapshot {
  const state = gate.state();
  return {
    ...settings,
    open: state.open,
    openedAt: state.openedAt,
    openedByKind: state.openedBy?.kind ?? null,
    openedByName: state.openedBy ? openerName(state.openedBy) : null,
    podStoreStartedAt: pods.started() ?? null,
    podCollectionSyncedAt: state.podCollectionSyncedAt,
    podsCached: pods.size,
    podStoreBytes: pods.estimatedBytes(),
  };
}

/** Memory estimates move a little with every pod; a change under 1 % is not worth a write. */
function sameEnough(a: GateSnapshot, b: GateSnapshot): boolean {
  const { podStoreBytes: x, ...restA } = a;
  const { podStoreBytes: y, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB) && Math.abs(x - y) <= Math.max(x, y) * 0.01;
}

/** The gate and the pod cache as /readyz?verbose shows them. */
export function gateDetails(gate: AutoscalingGate, pods: PodCache, settings: GateSettings) {
  const state = gate.state();
  return {
    workloadEnabled: settings.workloadEnabled,
    gate: {
      open: state.open,
      openedAt: state.openedAt?.toISOString() ?? null,
      openedBy: state.openedBy,
      podCollectionSynced: state.podCollectionSynced,
      podCollectionSyncedAt: state.podCollectionSyncedAt?.toISOString() ?? null,
    },
    podStore: {
      eager: settings.podStoreEager,
      started: pods.isStarted(),
      startedAt: pods.started()?.toISOString() ?? null,
      synced: pods.hasSynced(),
      podsCached: pods.size,
      estimatedBytes: pods.estimatedBytes(),
    },
  };
}

export class GateStatusWriter {
  private written: GateSnapshot | undefined;

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly controllerId: string,
    private readonly snapshot: () => GateSnapshot,
  ) {}

  /** Writes the row when it changed; after the last write the next one is unconditional. */
  readonly sync = flushEveryRun(
    () => this.flush(),
    () => (this.written = undefined),
  );

  async flush(): Promise<void> {
    const row = this.snapshot();
    if (this.written && sameEnough(this.written, row)) return;
    const data = { ...row, updatedAt: new Date() };
    await withRetry(() =>
      this.db.$transaction(async (tx) => {
        await tx.autoscalingGate.upsert({
          where: { clusterId_controllerId: { clusterId: this.clusterId, controllerId: this.controllerId } },
          create: { clusterId: this.clusterId, controllerId: this.controllerId, ...data },
          update: data,
        });
        await recordChange(tx, TOPICS.autoscaling, "gate");
      }),
    );
    this.written = row;
  }
}
