// Runs `flush` every `intervalMs` (one at a time) until stopped, then once more, logging
// failures: the loop of a read model that writes only what changed since its last flush.
import type { Logger } from "../../log";

export class PeriodicWriter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private active = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.active = true;
    const loop = () => {
      this.running = this.flush()
        .catch((error: Error) => this.log.warn({ err: error.message }, "read model not written"))
        .finally(() => {
          if (this.active) this.timer = setTimeout(loop, this.intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    await this.running;
    await this.flush().catch(() => undefined);
  }
}
