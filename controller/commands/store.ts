// The commands' rows in the store, as the consumer needs them: this cluster's pending ids, a
// guarded claim (pending → applying, one winner), the outcome with its audit and change-feed
// rows in one transaction, and commands another controller of the cluster left "applying" when
// it died. A command of another cluster is never seen, let alone claimed.
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import type { FinalStatus } from "../../lib/commands";
import { TOPICS } from "../../lib/topics";
import { recordAudit } from "../store/audit";
import { recordChange } from "../store/changes";

export interface StoredCommand {
  id: number;
  kind: string;
  target: string;
  /** The payload's JSON text, validated again before use. */
  payload: string;
  actor: string;
  /** How the dashboard authenticated the actor (lib/access.ts). */
  actorAuth: string;
  /** The actor's Kubernetes identity as recorded (lib/access.ts encodeSubject), or null. */
  identity: string | null;
  reason: string | null;
  source: string;
  createdAt: Date;
}

export interface Outcome {
  status: FinalStatus;
  message: string;
  details?: Record<string, unknown>;
}

export interface InterruptedCommand {
  id: number;
  kind: string;
  target: string;
  actor: string;
  claimedBy: string;
}

/** What the consumer needs of the store (a fake in the unit tests). */
export interface CommandQueue {
  pendingIds(limit: number): Promise<number[]>;
  /** True when this controller won the claim. */
  claim(id: number): Promise<boolean>;
  load(id: number): Promise<StoredCommand>;
  /** Records the outcome unless the claim was taken away meanwhile (declared interrupted). */
  finish(command: StoredCommand, outcome: Outcome): Promise<void>;
  /** Commands other controllers claimed before `before` and never finished. */
  interrupted(before: Date): Promise<InterruptedCommand[]>;
  rejectInterrupted(command: InterruptedCommand, message: string): Promise<boolean>;
}

export class CommandStore implements CommandQueue {
  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
    private readonly controllerId: string,
  ) {}

  async pendingIds(limit: number): Promise<number[]> {
    const rows = await this.db.command.findMany({
      where: { clusterId: this.clusterId, status: "pending" },
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  async claim(id: number): Promise<boolean> {
    const claimed = await withRetry(() =>
      this.db.command.updateMany({
        where: { id, clusterId: this.clusterId, status: "pending" },
        data: { status: "applying", claimedBy: this.controllerId, claimedAt: new Date() },
      }),
    );
    return claimed.count === 1;
  }

  load(id: number): Promise<StoredCommand> {
    return this.db.command.findUniqueOrThrow({
      where: { id, clusterId: this.clusterId },
      select: {
        id: true,
        kind: true,
        target: true,
        payload: true,
        actor: true,
        actorAuth: true,
        identity: true,
        reason: true,
        source: true,
        createdAt: true,
      },
    });
  }

  async finish(command: StoredCommand, { status, message, details }: Outcome): Promise<void> {
    // Write-first transaction: it takes SQLite's write lock at its first statement, so a busy
    // database makes it wait (busy timeout) instead of failing on a lock upgrade.
    await withRetry(() =>
      this.db.$transaction(async (tx) => {
        const updated = await tx.command.updateMany({
          where: {
            id: command.id,
            clusterId: this.clusterId,
            status: "applying",
            claimedBy: this.controllerId,
          },
          data: { status, message, appliedAt: new Date() },
        });
        if (updated.count !== 1) return; // declared interrupted by another leader meanwhile
        await recordAudit(tx, this.clusterId, {
          actor: command.actor,
          action: `command.${status}`,
          targetKind: command.kind,
          target: command.target,
          commandId: command.id,
          details: { message, controller: this.controllerId, ...details },
        });
        await recordChange(tx, TOPICS.commands, String(command.id));
      }),
    );
  }

  async interrupted(before: Date): Promise<InterruptedCommand[]> {
    const rows = await this.db.command.findMany({
      where: {
        clusterId: this.clusterId,
        status: "applying",
        claimedAt: { lt: before },
        NOT: { claimedBy: this.controllerId },
      },
      select: { id: true, actor: true, kind: true, target: true, claimedBy: true },
    });
    return rows.map((r) => ({ ...r, claimedBy: r.claimedBy ?? "" }));
  }

  async rejectInterrupted(c: InterruptedCommand, message: string): Promise<boolean> {
    return withRetry(() =>
      this.db.$transaction(async (tx) => {
        const updated = await tx.command.updateMany({
          where: { id: c.id, clusterId: this.clusterId, status: "applying", claimedBy: c.claimedBy },
          data: { status: "rejected", message, appliedAt: new Date() },
        });
        if (updated.count !== 1) return false;
        await recordAudit(tx, this.clusterId, {
          actor: c.actor,
          action: "command.rejected",
          targetKind: c.kind,
          target: c.target,
          commandId: c.id,
          details: { message, controller: this.controllerId },
        });
        await recordChange(tx, TOPICS.commands, String(c.id));
        return true;
      }),
    );
  }
}
