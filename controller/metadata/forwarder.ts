// What the CRD and Helm forwarders share: the engine (watches, queue, workers), start and
// stop, the heartbeat, and their status. Each forwarder says what syncing one object and
// a heartbeat do, and what it keeps between sends.
import type { Delivery } from "./delivery";
import {
  ForwarderEngine,
  type EngineDeps,
  type EngineStatus,
  type ObjectRef,
  type ProcessContext,
  type WatchTarget,
} from "./engine";
import type { SenderIdentity } from "./payloads";

export interface ForwarderDeps extends EngineDeps {
  delivery: Delivery;
  sender: SenderIdentity;
  workers: number;
}

export abstract class Forwarder {
  readonly engine: ForwarderEngine;

  constructor(
    protected readonly deps: ForwarderDeps,
    name: string,
    targets: WatchTarget[],
  ) {
    this.engine = new ForwarderEngine(deps, {
      name,
      targets,
      workers: deps.workers,
      process: (ref, ctx) => this.sync(ref, ctx),
      heartbeat: () => this.heartbeat(),
    });
  }

  start(): Promise<void> {
    return this.engine.start();
  }

  /** Stops and forgets every snapshot: whoever forwards next starts from what the cluster holds. */
  async stop(): Promise<void> {
    await this.engine.stop();
    this.forget();
  }

  /** Re-sends every kept snapshot (while running). */
  beat(): void {
    this.engine.beat();
  }

  status(): EngineStatus & { snapshots: number } {
    return { ...this.engine.status(), snapshots: this.snapshotCount() };
  }

  get lastSendAt(): Date | undefined {
    return this.deps.delivery.lastSendAt;
  }

  /** Sends what changed of the object (as cached now), or forgets it when it is gone. */
  protected abstract sync(ref: ObjectRef, ctx: ProcessContext): Promise<void>;
  /** Marks every kept snapshot due and queues it again. */
  protected abstract heartbeat(): void;
  protected abstract forget(): void;
  protected abstract snapshotCount(): number;
}
