import "server-only";
import type { Condition } from "@/lib/autoscaling";
import { controllerState } from "@/lib/controller-status";
import { conditionsColumn } from "@/lib/read-model/autoscaling";
import type { AutoscalingGate, PodAutoscaler, PodAutoscalerProfile } from "@/prisma/generated/client";
import { getDb } from "../db";
import { toDto, type Dto } from "./dto";

export interface GateDto extends Dto<AutoscalingGate> {
  /** Whether its controller is the leader now (from its heartbeat). */
  isLeader: boolean;
}

export interface AutoscalerDto extends Omit<Dto<PodAutoscaler>, "conditions" | "createdAt"> {
  conditions: Condition[];
}

export interface ProfileDto extends Omit<Dto<PodAutoscalerProfile>, "conditions" | "createdAt"> {
  conditions: Condition[];
}

export interface AutoscalingOverviewDto {
  /** The gate of every running controller (each process has its own), the leader first. */
  gates: GateDto[];
  autoscalers: AutoscalerDto[];
  profiles: ProfileDto[];
}

/** An autoscaler or profile row for the browser: conditions decoded, createdAt not shown. */
function withConditions<Row extends { conditions: string; createdAt: Date | null }>({
  conditions,
  createdAt: _createdAt,
  ...row
}: Row) {
  return { ...toDto(row), conditions: conditionsColumn.decode(conditions) };
}

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
      .map((g) => ({ ...toDto(g), isLeader: running.get(g.controllerId) ?? false }))
      .sort(
        (a, b) => Number(b.isLeader) - Number(a.isLeader) || a.controllerId.localeCompare(b.controllerId),
      ),
    autoscalers: autoscalers.map(withConditions),
    profiles: profiles.map(withConditions),
  };
}
