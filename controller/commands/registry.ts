// Command handlers by kind. A feature registers the kinds it applies; a kind nobody registered
// (its feature is off) is rejected with that reason rather than left pending.
import type { CommandKind, CommandPayload } from "../../lib/commands";
import type { Logger } from "../log";

export interface CommandContext {
  id: number;
  kind: CommandKind;
  target: string;
  actor: string;
  reason: string | null;
  source: string;
  log: Logger;
  signal: AbortSignal;
}

export interface CommandOutcome {
  /** applied: done; ignored: valid but nothing to do (stale or mismatched, with why). */
  status: "applied" | "ignored";
  message: string;
  /** Extra audit details (never secrets). */
  details?: Record<string, unknown>;
}

/** Thrown by a handler to refuse a command with a message meant for the user. */
export class CommandRejected extends Error {
  override name = "CommandRejected";
}

export type CommandHandler<K extends CommandKind> = (
  payload: CommandPayload<K>,
  ctx: CommandContext,
) => Promise<CommandOutcome>;

export class CommandRegistry {
  private readonly handlers = new Map<CommandKind, CommandHandler<CommandKind>>();

  register<K extends CommandKind>(kind: K, handler: CommandHandler<K>): this {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} is already registered`);
    this.handlers.set(kind, handler as unknown as CommandHandler<CommandKind>);
    return this;
  }

  get(kind: CommandKind): CommandHandler<CommandKind> | undefined {
    return this.handlers.get(kind);
  }

  kinds(): CommandKind[] {
    return [...this.handlers.keys()];
  }
}
