import "server-only";
import { redactText } from "@/lib/redact";
import type { Command } from "@/prisma/generated/client";
import { getDb } from "../db";
import { toDto, type Dto } from "./dto";

// What the dashboard shows of a command (not its payload, nor who claimed it).
const SHOWN = {
  id: true,
  kind: true,
  target: true,
  actor: true,
  status: true,
  message: true,
  createdAt: true,
  appliedAt: true,
} as const;

export type CommandDto = Dto<Pick<Command, keyof typeof SHOWN>>;

export async function getCommand(id: number): Promise<CommandDto | null> {
  const db = await getDb();
  const command = await db.command.findUnique({ where: { id }, select: SHOWN });
  // An outcome message may quote what the API server said about a value.
  return command && toDto({ ...command, message: command.message && redactText(command.message) });
}
