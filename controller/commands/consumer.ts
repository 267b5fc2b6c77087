// Applies Commands written by the dashboard, on the leader only. Pending commands are claimed
// in id order with a guarded update (status pending → applying, one winner), so a command is
// applied at most once even with two controllers. Every command ends applied, rejected or
// ignored with a human-readable message; none is retried forever. Before its handler runs, a
// command's actor is authorized (FLEETDECK_AUTHZ): a refusal rejects it with the reason.
// consumeCommands runs it on the manager: a leader-only periodic look, woken by the doorbell.
import { parseCommand } from "../../lib/commands";
import { allowEveryone, type Authorize } from "../access/authorizer";
import type { Manager } from "../kube/manager";
import type { Periodic } from "../kube/periodic";
import type { Logger } from "../log";
import { CommandRejected, type CommandHandler, type CommandRegistry } from "./registry";
import { commandMetrics } from "./metrics";
import type { CommandQueue, Outcome, StoredCommand } from "./store";

export interface CommandConsumerOptions {
  /** A handler running longer than this is abandoned and its command rejected. */
  handlerTimeoutMs?: number;
  /** A command left "applying" by another controller for this long was interrupted by its death. */
  interruptedAfterMs?: number;
  /** May the command's actor do what it implies? Everyone may when absent. */
  authorize?: Authorize;
}

export interface ConsumeOptions {
  /** How often to look for pending commands (50 ms; without `changes`, the only way to find them). */
  pollMs?: number;
  /**
   * Subscribes to "a command was inserted" (returns the unsubscribe function): the consumer
   * then looks at once, and polls only every `pollMs` (1 s) as a safety net.
   */
  changes?: (onChange: () => void) => () => void;
}

/** Runs the consumer while this process leads: a look every pollMs, and at once on a change. */
export function consumeCommands(
  manager: Manager,
  consumer: CommandConsumer,
  { pollMs, changes }: ConsumeOptions = {},
): Periodic {
  const looks = manager.every(
    "command-consumer",
    pollMs ?? (changes ? 1_000 : 50),
    ({ signal }) => consumer.poll(signal),
    { leaderOnly: true, initialRun: true },
  );
  if (changes) {
    let unsubscribe: (() => void) | undefined;
    manager.add({
      name: "command-doorbell",
      leaderOnly: true,
      start: () => {
        unsubscribe = changes(() => void looks.trigger());
      },
      stop: () => unsubscribe?.(),
    });
  }
  return looks;
}

export class CommandConsumer {
  private lastRecovery = 0;
  private readonly handlerTimeoutMs: number;
  private readonly interruptedAfterMs: number;
  private readonly authorize: Authorize;

  constructor(
    /** The commands' rows: a CommandStore on the database. */
    private readonly queue: CommandQueue,
    private readonly registry: CommandRegistry,
    private readonly log: Logger,
    options: CommandConsumerOptions = {},
  ) {
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 30_000;
    this.interruptedAfterMs = options.interruptedAfterMs ?? 2 * this.handlerTimeoutMs;
    this.authorize = options.authorize ?? allowEveryone;
  }

  /**
   * One look: rejects commands a dead controller left behind (every 5 s at most), then applies
   * pending commands until none is left or `signal` aborts (the leader stops).
   */
  async poll(signal: AbortSignal): Promise<void> {
    if (Date.now() - this.lastRecovery > 5_000) {
      this.lastRecovery = Date.now();
      await this.rejectInterrupted();
    }
    // Some applied: more may be waiting, look again at once.
    while (!signal.aborted && (await this.applyPending(signal)) > 0);
  }

  /** Claims and applies pending commands in id order; returns how many it handled. */
  private async applyPending(signal: AbortSignal): Promise<number> {
    let handled = 0;
    for (const id of await this.queue.pendingIds(25)) {
      if (signal.aborted) break;
      if (!(await this.queue.claim(id))) continue; // another controller won this one
      // Claimed: from here on the command is this controller's to finish, so its reads and
      // writes outlast a store that is briefly away (a database restart).
      await this.apply(await this.persist("load", () => this.queue.load(id)));
      handled++;
    }
    return handled;
  }

  private async apply(command: StoredCommand): Promise<void> {
    const started = Date.now();
    const log = this.log.child({
      commandId: command.id,
      kind: command.kind,
      target: command.target,
      actor: command.actor,
    });
    const outcome = await this.outcomeOf(command, log);
    await this.persist("record the outcome", () => this.queue.finish(command, outcome));
    commandMetrics.applied.inc({ kind: command.kind, status: outcome.status });
    commandMetrics.latency.observe({ kind: command.kind }, (Date.now() - command.createdAt.getTime()) / 1000);
    log.info(
      { status: outcome.status, message: outcome.message, ms: Date.now() - started },
      "command finished",
    );
  }

  /** Validates the stored command again and runs its handler; never throws. */
  private async outcomeOf(command: StoredCommand, log: Logger): Promise<Outcome> {
    let payload: unknown;
    try {
      payload = JSON.parse(command.payload);
    } catch {
      return { status: "rejected", message: "payload is not valid JSON" };
    }
    const parsed = parseCommand(command.kind, command.target, payload);
    if (!parsed.ok) return { status: "rejected", message: parsed.error };
    const handler = this.registry.get(parsed.kind);
    if (!handler) {
      return {
        status: "rejected",
        message: `this controller does not apply ${parsed.kind} commands (its feature is disabled)`,
      };
    }
    try {
      const decision = await this.authorize({ ...command, kind: parsed.kind, payload: parsed.payload });
      if (!decision.allowed) {
        log.info({ reason: decision.reason }, "command refused by authorization");
        return { status: "rejected", message: decision.reason, details: { access: "denied" } };
      }
    } catch (error) {
      return {
        status: "rejected",
        message: `cannot check whether ${command.actor} may do this: ${(error as Error).message}`,
        details: { access: "error" },
      };
    }
    try {
      const outcome = await this.runHandler(handler, parsed.payload, command, log);
      return { status: outcome.status, message: outcome.message, details: outcome.details ?? {} };
    } catch (error) {
      if (error instanceof CommandRejected) return { status: "rejected", message: error.message };
      log.error({ err: (error as Error).stack }, "command handler failed");
      return { status: "rejected", message: `failed: ${(error as Error).message}` };
    }
  }

  private async runHandler(
    handler: CommandHandler<never>,
    payload: unknown,
    command: StoredCommand,
    log: Logger,
  ) {
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
      const { id, kind, target, actor, reason, source } = command;
      return await Promise.race([
        handler(payload as never, {
          id,
          kind: kind as never,
          target,
          actor,
          reason,
          source,
          log,
          signal: abort.signal,
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Retries a store call of a claimed command until it succeeds, for up to the time after
   * which another controller would declare the command interrupted: giving up sooner would
   * leave it "applying" with an outcome nobody recorded.
   */
  private async persist<T>(what: string, call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.interruptedAfterMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await call();
      } catch (error) {
        if (Date.now() + delay > deadline) throw error;
        this.log.warn({ err: (error as Error).message, retryInMs: delay }, `could not ${what}; retrying`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * A command another controller claimed long ago and never finished was interrupted by that
   * controller's death. Applying it again could apply it twice, so it is rejected with a
   * message asking the user to check the target instead.
   */
  private async rejectInterrupted(): Promise<void> {
    const stale = await this.queue.interrupted(new Date(Date.now() - this.interruptedAfterMs));
    for (const c of stale) {
      const message = `interrupted: controller ${c.claimedBy} stopped while applying it; the outcome is unknown, check the target and resubmit if needed`;
      if (!(await this.queue.rejectInterrupted(c, message))) continue;
      this.log.warn(
        { commandId: c.id, claimedBy: c.claimedBy },
        "rejected a command interrupted by a controller's death",
      );
    }
  }
}
