// This process's gate in the store (one AutoscalingGate row per controller of the cluster): closed or open since
// when and by which object, the pod store's start and sync, pods cached and its memory
// estimate. Every replica writes its own row, when it changed, with a Change row.
import type { Database } from "../../../lib/db/open";
import { withRetry } from "../../../lib/db/open";
import { TOPICS } from "../../../lib/topics";
import { recordChange } from "../../store/changes";
import type { Logger } from "../../log";
import { openerName, type AutoscalingGate } from "../gate";
import type { PodCache } from "../pod-cache";
import { PeriodicWriter } from "./periodic-writer";

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

export function gateSnapshot(
  gate: AutoscalingGate,
  pods: PodCache,
  settings: { workloadEnabled: boolean; podStoreEager: boolean },
): GateSnapshot {
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

export class GateStatusWriter {
  private written: GateSnapshot | undefined;
  private readonly writer: PeriodicWriter;

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly controllerId: string,
    private readonly snapshot: () => GateSnapshot,
    log: Logger,
  ) {
    this.writer = new PeriodicWriter(1000, () => this.flush(), log);
  }

  start(): void {
    this.written = undefined;
    this.writer.start();
  }

  stop(): Promise<void> {
    return this.writer.stop();
  }

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
