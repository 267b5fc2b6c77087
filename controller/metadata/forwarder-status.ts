// Writes each forwarder's status (watches, denied watches, queue depth, heartbeat, on/off) to
// the store (rows of this controller's cluster) for the Metadata page: when it changed (the
// leader checks every 2 s, ./setup.ts), and every 30 s anyway so the page can tell a fresh row
// from an old one.
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import type { ForwarderName, ForwarderState, WatchInfo } from "../../lib/metadata";
import { watchesColumn } from "../../lib/read-model/metadata";
import { TOPICS } from "../../lib/topics";
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
  private lastWritten = "";
  private lastWriteAt = 0;

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly controllerId: string,
    private readonly read: () => ForwarderStatus[],
    private readonly options: { refreshMs?: number } = {},
  ) {}

  /**
   * Writes the current status when it changed or is due for a refresh; with `override` (the
   * standby rows of a leader that stops), always.
   */
  async write(override?: Pick<ForwarderStatus, "state" | "message">): Promise<void> {
    const rows = this.read().map((s) => (override ? { ...s, ...override } : s));
    const fingerprint = JSON.stringify(rows);
    const due = Date.now() - this.lastWriteAt >= (this.options.refreshMs ?? 30_000);
    if (!override && fingerprint === this.lastWritten && !due) return;
    const now = new Date();
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
  }
}
