// Applies Commands written by the dashboard, on the leader only. Pending commands are claimed
// in id order with a guarded update (status pending → applying, one winner), so a command is
// applied at most once even with two controllers. Every command ends applied, rejected or
// ignored with a human-readable message; none is retried forever.
import type { Database } from "../../lib/db/open";
import { withBusyRetry } from "../../lib/db/open";
import { parseCommand, type CommandKind, type FinalStatus } from "../../lib/commands";
import { TOPICS } from "../../lib/topics";
import type { Logger } from "../log";
import { recordAudit } from "../store/audit";
import { recordChange } from "../store/changes";
import { CommandRejected, type CommandOutcome, type CommandRegistry } from "./registry";
import { commandMetrics } from "./metrics";

export interface CommandConsumerOptions {
  pollMs?: number;
  /** A handler running longer than this is abandoned and its command rejected. */
  handlerTimeoutMs?: number;
  /** A command left "applying" by another controller for this long was interrupted by its death. */
  interruptedAfterMs?: number;
}

export class CommandConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly interruptedAfterMs: number;

  constructor(
    private readonly db: Database,
    private readonly registry: CommandRegistry,
    private readonly controllerId: string,
    private readonly log: Logger,
    options: CommandConsumerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 50;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 30_000;
    this.interruptedAfterMs = options.interruptedAfterMs ?? 2 * this.handlerTimeoutMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastRecovery = 0;
    while (this.running) {
      try {
        if (Date.now() - lastRecovery > 5_000) {
          lastRecovery = Date.now();
          await this.rejectInterrupted();
        }
        const applied = await this.applyPending();
        if (applied > 0) continue; // more may be waiting: look again at once
      } catch (error) {
        this.log.warn({ err: (error as Error).message }, "command poll failed; retrying");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Claims and applies pending commands in id order; returns how many it handled. */
  private async applyPending(): Promise<number> {
    const pending = await this.db.command.findMany({
      where: { status: "pending" },
      orderBy: { id: "asc" },
      take: 25,
      select: { id: true },
    });
    let handled = 0;
    for (const { id } of pending) {
      if (!this.running) break;
      const claimed = await withBusyRetry(() =>
        this.db.command.updateMany({
          where: { id, status: "pending" },
          data: { status: "applying", claimedBy: this.controllerId, claimedAt: new Date() },
        }),
      );
      if (claimed.count !== 1) continue; // another controller won this one
      await this.apply(id);
      handled++;
    }
    return handled;
  }

  private async apply(id: number): Promise<void> {
    const command = await this.db.command.findUniqueOrThrow({ where: { id } });
    const started = Date.now();
    const log = this.log.child({
      commandId: id,
      kind: command.kind,
      target: command.target,
      actor: command.actor,
    });
    let status: FinalStatus;
    let message: string;
    let details: Record<string, unknown> = {};

    let payload: unknown;
    try {
      payload = JSON.parse(command.payload);
    } catch {
      payload = Symbol("unparsable");
    }
    const parsed =
      typeof payload === "symbol"
        ? { ok: false as const, error: "payload is not valid JSON" }
        : parseCommand(command.kind, command.target, payload);
    if (!parsed.ok) {
      status = "rejected";
      message = parsed.error;
    } else {
      const handler = this.registry.get(parsed.kind);
      if (!handler) {
        status = "rejected";
        message = `this controller does not apply ${parsed.kind} commands (its feature is disabled)`;
      } else {
        try {
          const outcome = await this.runHandler(handler, parsed.kind, parsed.payload, command, log);
          status = outcome.status;
          message = outcome.message;
          details = outcome.details ?? {};
        } catch (error) {
          status = "rejected";
          message = error instanceof CommandRejected ? error.message : `failed: ${(error as Error).message}`;
          if (!(error instanceof CommandRejected))
            log.error({ err: (error as Error).stack }, "command handler failed");
        }
      }
    }
    await this.finish(id, command.actor, command.kind, command.target, status, message, details);
    commandMetrics.applied.inc({ kind: command.kind, status });
    commandMetrics.latency.observe({ kind: command.kind }, (Date.now() - command.createdAt.getTime()) / 1000);
    log.info({ status, message, ms: Date.now() - started }, "command finished");
  }

  private async runHandler(
    handler: NonNullable<ReturnType<CommandRegistry["get"]>>,
    kind: CommandKind,
    payload: unknown,
    command: { id: number; target: string; actor: string; reason: string | null; source: string },
    log: Logger,
  ): Promise<CommandOutcome> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(
          new CommandRejected(
            `timed out after ${this.handlerTimeoutMs / 1000} s; check the target's state before resubmitting`,
          ),
        );
      }, this.handlerTimeoutMs);
    });
    try {
      return await Promise.race([
        handler(payload as never, { ...command, kind, log, signal: abort.signal }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async finish(
    id: number,
    actor: string,
    kind: string,
    target: string,
    status: FinalStatus,
    message: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    // Write-first transaction: it takes SQLite's write lock at its first statement, so a busy
    // database makes it wait (busy timeout) instead of failing on a lock upgrade.
    await withBusyRetry(() =>
      this.db.$transaction(async (tx) => {
        const updated = await tx.command.updateMany({
          where: { id, status: "applying", claimedBy: this.controllerId },
          data: { status, message, appliedAt: new Date() },
        });
        if (updated.count !== 1) return; // declared interrupted by another leader meanwhile
        await recordAudit(tx, {
          actor,
          action: `command.${status}`,
          targetKind: kind,
          target,
          commandId: id,
          details: { message, controller: this.controllerId, ...details },
        });
        await recordChange(tx, TOPICS.commands, String(id));
      }),
    );
  }

  /**
   * A command another controller claimed long ago and never finished was interrupted by that
   * controller's death. Applying it again could apply it twice, so it is rejected with a
   * message asking the user to check the target instead.
   */
  private async rejectInterrupted(): Promise<void> {
    const stale = await this.db.command.findMany({
      where: {
        status: "applying",
        claimedAt: { lt: new Date(Date.now() - this.interruptedAfterMs) },
        NOT: { claimedBy: this.controllerId },
      },
      select: { id: true, actor: true, kind: true, target: true, claimedBy: true },
    });
    for (const c of stale) {
      const message = `interrupted: controller ${c.claimedBy} stopped while applying it; the outcome is unknown, check the target and resubmit if needed`;
      await withBusyRetry(() =>
        this.db.$transaction(async (tx) => {
          const updated = await tx.command.updateMany({
            where: { id: c.id, status: "applying", claimedBy: c.claimedBy },
            data: { status: "rejected", message, appliedAt: new Date() },
          });
          if (updated.count !== 1) return;
          await recordAudit(tx, {
            actor: c.actor,
            action: "command.rejected",
            targetKind: c.kind,
            target: c.target,
            commandId: c.id,
            details: { message, controller: this.controllerId },
          });
          await recordChange(tx, TOPICS.commands, String(c.id));
        }),
      );
      this.log.warn(
        { commandId: c.id, claimedBy: c.claimedBy },
        "rejected a command interrupted by a controller's death",
      );
    }
  }
}
