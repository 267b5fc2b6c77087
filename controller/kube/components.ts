// Long-running parts of the controller. Leader-only ones (reconcilers, the command consumer,
// forwarders, the rebalancer) run while this process leads and stop when it stops leading;
// the others (informers feeding the webhook, health) run all the time.
import type { Logger } from "../log";

export interface Component {
  name: string;
  leaderOnly: boolean;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export class ComponentManager {
  private readonly components: Component[] = [];
  private readonly running = new Set<Component>();
  private leading = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly log: Logger) {}

  add(component: Component): void {
    this.components.push(component);
  }

  /** Starts the components that run whether or not this process leads. */
  startShared(): Promise<void> {
    return this.serially(() => this.startWhere((c) => !c.leaderOnly));
  }

  startedLeading(): Promise<void> {
    return this.serially(async () => {
      this.leading = true;
      await this.startWhere((c) => c.leaderOnly);
    });
  }

  stoppedLeading(): Promise<void> {
    return this.serially(async () => {
      this.leading = false;
      await this.stopWhere((c) => c.leaderOnly);
    });
  }

  isLeading(): boolean {
    return this.leading;
  }

  stopAll(): Promise<void> {
    return this.serially(() => this.stopWhere(() => true));
  }

  // Leadership can flap faster than components start; transitions are applied one at a time.
  private serially(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  private async startWhere(match: (c: Component) => boolean): Promise<void> {
    for (const c of this.components) {
      if (!match(c) || this.running.has(c)) continue;
      await c.start();
      this.running.add(c);
      this.log.info({ name: c.name, leaderOnly: c.leaderOnly }, "component started");
    }
  }

  private async stopWhere(match: (c: Component) => boolean): Promise<void> {
    for (const c of [...this.components].reverse()) {
      if (!match(c) || !this.running.has(c)) continue;
      this.running.delete(c);
      try {
        await c.stop();
        this.log.info({ name: c.name }, "component stopped");
      } catch (error) {
        this.log.error({ name: c.name, err: (error as Error).message }, "component failed to stop cleanly");
      }
    }
  }
}
