// Writes each forwarder's status (watches, denied watches, queue depth, heartbeat, on/off) to
// the store (rows of this controller's cluster) for the Metadata page: at once when it changes (checked every 2 s), and every 30 s
// anyway so the page can tell a fresh row from an old one.
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import type { ForwarderName, ForwarderState, WatchInfo } from "../../lib/metadata";
import { watchesColumn } from "../../lib/read-model/metadata";
import { TOPICS } from "../../lib/topics";
import type { Logger } from "../log";
import { recordChange } from "../store/changes";

export interface ForwarderStatus {
  name: ForwarderName;
  state: ForwarderState;
  message: string;
  intakeUrl: string;
  activeWatches: WatchInfo[];
  deniedWatches: WatchInfo[];
  queueDepth: number;
  snapshots: number;
  heartbeatSeconds: number;
  lastHeartbeatAt?: Date;
  lastSendAt?: Date;
}

export class ForwarderStatusWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastWritten = "";
  private lastWriteAt = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly controllerId: string,
    private readonly log: Logger,
    private readonly read: () => ForwarderStatus[],
    private readonly options: { checkMs?: number; refreshMs?: number } = {},
  ) {}

  start(): void {
    void this.write();
    this.timer = setInterval(() => void this.write(), this.options.checkMs ?? 2000);
    this.timer.unref();
  }

  /** Stops the timer and writes `final` (e.g. standby) for every forwarder. */
  async stop(final?: Pick<ForwarderStatus, "state" | "message">): Promise<void> {
    clearInterval(this.timer);
    await this.write(final);
  }

  /** Writes the current status when it changed, when it is due for a refresh, or when forced. */
  write(override?: Pick<ForwarderStatus, "state" | "message">): Promise<void> {
    this.writing = this.writing.then(() => this.writeOnce(override));
    return this.writing;
  }

  private async writeOnce(override?: Pick<ForwarderStatus, "state" | "message">): Promise<void> {
    const rows = this.read().map((s) => (override ? { ...s, ...override } : s));
    const fingerprint = JSON.stringify(rows);
    const due = Date.now() - this.lastWriteAt >= (this.options.refreshMs ?? 30_000);
    if (!override && fingerprint === this.lastWritten && !due) return;
    const now = new Date();
    try {
      await withRetry(() =>
        this.db.$transaction([
          ...rows.map((s) => {
            const data = {
              state: s.state,
              message: s.message,
              intakeUrl: s.intakeUrl,
              controllerId: this.controllerId,
              activeWatches: watchesColumn.encode(s.activeWatches),
              deniedWatches: watchesColumn.encode(s.deniedWatches),
              queueDepth: s.queueDepth,
              snapshots: s.snapshots,
              heartbeatSeconds: s.heartbeatSeconds,
              lastHeartbeatAt: s.lastHeartbeatAt ?? null,
              lastSendAt: s.lastSendAt ?? null,
              updatedAt: now,
            };
            return this.db.metadataForwarder.upsert({
              where: { clusterId_name: { clusterId: this.clusterId, name: s.name } },
              create: { clusterId: this.clusterId, name: s.name, ...data },
              update: data,
            });
          }),
          recordChange(this.db, TOPICS.metadata, "forwarders"),
        ]),
      );
      this.lastWritten = fingerprint;
      this.lastWriteAt = now.getTime();
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "forwarder status write failed; will retry");
    }
  }
}
