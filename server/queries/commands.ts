import "server-only";
import { controllerState } from "@/components/lib/controller-status";
import type { Command } from "@/lib/db/models";
import { redactText } from "@/lib/redact";
import type { ReadScope } from "../scope/read-scope";
import { toDto, type Dto } from "./dto";

// What the dashboard shows of a command (not its payload, nor who claimed it).
const SHOWN = {
  id: true,
  clusterId: true,
  kind: true,
  target: true,
  actor: true,
  status: true,
  message: true,
  createdAt: true,
  appliedAt: true,
} as const;

export type CommandDto = Dto<Pick<Command, keyof typeof SHOWN>> & {
  clusterName: string;
  /** Whether a controller of the command's cluster is running: only its leader claims it. */
  controllerReporting: boolean;
};

export async function getCommand(scope: ReadScope, id: number): Promise<CommandDto | null> {
  const { db } = scope;
  const command = await db.command.findUnique({ where: { id }, select: SHOWN });
  if (!command) return null;
  const [cluster, heartbeats] = await Promise.all([
    db.cluster.findUnique({ where: { id: command.clusterId }, select: { name: true } }),
    db.controllerHeartbeat.findMany({
      where: { clusterId: command.clusterId },
      select: { lastSeenAt: true, stoppedAt: true },
    }),
  ]);
  const now = Date.now();
  return {
    // An outcome message may quote what the API server said about a value.
    ...toDto({ ...command, message: command.message && redactText(command.message) }),
    clusterName: cluster?.name ?? command.clusterId,
    controllerReporting: heartbeats.some((h) => controllerState(h, now) === "running"),
  };
}
