import "server-only";
import { getDb } from "../db";

export interface CommandDto {
  id: number;
  kind: string;
  target: string;
  actor: string;
  status: string;
  message: string | null;
  createdAt: string;
  appliedAt: string | null;
}

export async function getCommand(id: number): Promise<CommandDto | null> {
  const db = await getDb();
  const c = await db.command.findUnique({ where: { id } });
  if (!c) return null;
  return {
    id: c.id,
    kind: c.kind,
    target: c.target,
    actor: c.actor,
    status: c.status,
    message: c.message,
    createdAt: c.createdAt.toISOString(),
    appliedAt: c.appliedAt?.toISOString() ?? null,
  };
}
