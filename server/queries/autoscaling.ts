import "server-only";
import type { Condition } from "@/lib/autoscaling";
import { controllerState } from "@/lib/controller-status";
import { getDb } from "../db";

export interface GateDto {
  controllerId: string;
  isLeader: boolean;
  workloadEnabled: boolean;
  podStoreEager: boolean;
  open: boolean;
  openedAt: string | null;
  openedByKind: string | null;
  openedByName: string | null;
  podStoreStartedAt: string | null;
  podCollectionSyncedAt: string | null;
  podsCached: number;
  podStoreBytes: number;
  updatedAt: string;
}

export interface AutoscalerDto {
  key: string;
  namespace: string;
  name: string;
  targetApiVersion: string | null;
  targetKind: string;
  targetName: string;
  mode: string | null;
  owner: string | null;
  minReplicas: number | null;
  maxReplicas: number | null;
  currentReplicas: number | null;
  profile: string | null;
  conditions: Condition[];
  updatedAt: string;
}

export interface ProfileDto {
  name: string;
  mode: string | null;
  minReplicas: number | null;
  maxReplicas: number | null;
  templateHash: string | null;
  controlledAutoscalers: number | null;
  conditions: Condition[];
  updatedAt: string;
}

export interface AutoscalingOverviewDto {
  /** The gate of every running controller (each process has its own), the leader first. */
  gates: GateDto[];
  autoscalers: AutoscalerDto[];
  profiles: ProfileDto[];
}

const parseConditions = (json: string): Condition[] => {
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? (list as Condition[]) : [];
  } catch {
    return [];
  }
};

/** The autoscaling read model: the gates of running controllers, every autoscaler and profile. */
export async function autoscalingOverview(): Promise<AutoscalingOverviewDto> {
  const db = await getDb();
  const [gates, heartbeats, autoscalers, profiles] = await Promise.all([
    db.autoscalingGate.findMany(),
    db.controllerHeartbeat.findMany(),
    db.podAutoscaler.findMany({ orderBy: [{ namespace: "asc" }, { name: "asc" }] }),
    db.podAutoscalerProfile.findMany({ orderBy: { name: "asc" } }),
  ]);
  const now = Date.now();
  const running = new Map(
    heartbeats.filter((h) => controllerState(h, now) === "running").map((h) => [h.controllerId, h.isLeader]),
  );
  return {
    gates: gates
      .filter((g) => running.has(g.controllerId))
      .map((g) => ({
        controllerId: g.controllerId,
        isLeader: running.get(g.controllerId) ?? false,
        workloadEnabled: g.workloadEnabled,
        podStoreEager: g.podStoreEager,
        open: g.open,
        openedAt: g.openedAt?.toISOString() ?? null,
        openedByKind: g.openedByKind,
        openedByName: g.openedByName,
        podStoreStartedAt: g.podStoreStartedAt?.toISOString() ?? null,
        podCollectionSyncedAt: g.podCollectionSyncedAt?.toISOString() ?? null,
        podsCached: g.podsCached,
        podStoreBytes: g.podStoreBytes,
        updatedAt: g.updatedAt.toISOString(),
      }))
      .sort(
        (a, b) => Number(b.isLeader) - Number(a.isLeader) || a.controllerId.localeCompare(b.controllerId),
      ),
    autoscalers: autoscalers.map((a) => ({
      key: a.key,
      namespace: a.namespace,
      name: a.name,
      targetApiVersion: a.targetApiVersion,
      targetKind: a.targetKind,
      targetName: a.targetName,
      mode: a.mode,
      owner: a.owner,
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      currentReplicas: a.currentReplicas,
      profile: a.profile,
      conditions: parseConditions(a.conditions),
      updatedAt: a.updatedAt.toISOString(),
    })),
    profiles: profiles.map((p) => ({
      name: p.name,
      mode: p.mode,
      minReplicas: p.minReplicas,
      maxReplicas: p.maxReplicas,
      templateHash: p.templateHash,
      controlledAutoscalers: p.controlledAutoscalers,
      conditions: parseConditions(p.conditions),
      updatedAt: p.updatedAt.toISOString(),
    })),
  };
}
