import "server-only";
import { getDb } from "../db";

export interface SpotEventDto {
  id: number;
  at: string;
  reason: string;
  type: string;
  objectKind: string;
  objectName: string;
  message: string;
}

export interface SpotWorkloadDto {
  /** "Kind/namespace/name" */
  key: string;
  kind: "Deployment" | "StatefulSet";
  namespace: string;
  name: string;
  /** false: the opt-in label is gone and its spot pods are being moved back to on-demand. */
  optedIn: boolean;
  replicas: number | null;
  percentage: number;
  minOnDemand: number;
  configError: string | null;
  spotPods: number;
  onDemandPods: number;
  pendingSpotPods: number;
  oldestPendingAt: string | null;
  targetSpot: number;
  targetOnDemand: number;
  disabledUntil: string | null;
  updatedAt: string;
  /** Newest first. */
  events: SpotEventDto[];
}

export interface SpotOverviewDto {
  workloads: SpotWorkloadDto[];
}

const EVENTS_PER_WORKLOAD = 25;

/** Every workload of the spot read model with its latest events. */
export async function spotOverview(): Promise<SpotOverviewDto> {
  const db = await getDb();
  const rows = await db.spotWorkload.findMany({
    orderBy: [{ namespace: "asc" }, { name: "asc" }, { kind: "asc" }],
  });
  const events = await Promise.all(
    rows.map((r) =>
      db.spotEvent.findMany({
        where: { workloadKey: r.key },
        orderBy: { id: "desc" },
        take: EVENTS_PER_WORKLOAD,
      }),
    ),
  );
  return {
    workloads: rows.map((r, i) => ({
      key: r.key,
      kind: r.kind as SpotWorkloadDto["kind"],
      namespace: r.namespace,
      name: r.name,
      optedIn: r.optedIn,
      replicas: r.replicas,
      percentage: r.percentage,
      minOnDemand: r.minOnDemand,
      configError: r.configError,
      spotPods: r.spotPods,
      onDemandPods: r.onDemandPods,
      pendingSpotPods: r.pendingSpotPods,
      oldestPendingAt: r.oldestPendingAt?.toISOString() ?? null,
      targetSpot: r.targetSpot,
      targetOnDemand: r.targetOnDemand,
      disabledUntil: r.disabledUntil?.toISOString() ?? null,
      updatedAt: r.updatedAt.toISOString(),
      events: events[i]!.map((e) => ({
        id: e.id,
        at: e.at.toISOString(),
        reason: e.reason,
        type: e.type,
        objectKind: e.objectKind,
        objectName: e.objectName,
        message: e.message,
      })),
    })),
  };
}
