import "server-only";
import { getDb } from "../db";

export interface ControllerDto {
  controllerId: string;
  hostname: string;
  pid: number;
  version: string;
  isLeader: boolean;
  clusterId: string;
  kubernetesVersion: string;
  apiServer: string;
  startedAt: string;
  lastSeenAt: string;
  stoppedAt: string | null;
}

/** Every controller that has reported, most recently seen first. */
export async function listControllers(): Promise<ControllerDto[]> {
  const db = await getDb();
  const rows = await db.controllerHeartbeat.findMany({ orderBy: { lastSeenAt: "desc" }, take: 20 });
  return rows.map((r) => ({
    controllerId: r.controllerId,
    hostname: r.hostname,
    pid: r.pid,
    version: r.version,
    isLeader: r.isLeader,
    clusterId: r.clusterId,
    kubernetesVersion: r.kubernetesVersion,
    apiServer: r.apiServer,
    startedAt: r.startedAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    stoppedAt: r.stoppedAt?.toISOString() ?? null,
  }));
}
