import "server-only";
import type { Condition } from "@/lib/autoscaling";
import { controllerState } from "@/components/lib/controller-status";
import { conditionsColumn } from "@/lib/read-model/autoscaling";
import type { AutoscalingGate, PodAutoscaler, PodAutoscalerProfile } from "@/lib/db/models";
import type { ReadScope } from "../scope/read-scope";
import { clusterNames } from "./clusters";
import { toDto, type Dto } from "./dto";

export interface GateDto extends Dto<AutoscalingGate> {
  clusterName: string;
  /** Whether its controller is the leader now (from its heartbeat). */
  isLeader: boolean;
}

export interface AutoscalerDto extends Omit<Dto<PodAutoscaler>, "conditions" | "createdAt"> {
  clusterName: string;
  conditions: Condition[];
}

export interface ProfileDto extends Omit<Dto<PodAutoscalerProfile>, "conditions" | "createdAt"> {
  clusterName: string;
  conditions: Condition[];
}

export interface AutoscalingOverviewDto {
  /** The gate of every running controller (each process has its own), the leader first. */
  gates: GateDto[];
  autoscalers: AutoscalerDto[];
  profiles: ProfileDto[];
}

/** An autoscaler or profile row for the browser: conditions decoded, createdAt not shown. */
function withConditions(names: Map<string, string>) {
  return <Row extends { clusterId: string; conditions: string; createdAt: Date | null }>({
    conditions,
    createdAt: _createdAt,
    ...row
  }: Row) => ({
    ...toDto(row),
    clusterName: names.get(row.clusterId) ?? row.clusterId,
    conditions: conditionsColumn.decode(conditions),
  });
}

/**
 * The autoscaling read model of every cluster (or of one): the gates of running controllers,
 * every autoscaler and profile.
 */
export async function autoscalingOverview(
  scope: ReadScope,
  filter: { clusterId?: string } = {},
): Promise<AutoscalingOverviewDto> {
  const { db } = scope;
  const where = filter.clusterId ? { clusterId: filter.clusterId } : {};
  const [gates, heartbeats, autoscalers, profiles, names] = await Promise.all([
    db.autoscalingGate.findMany({ where }),
    db.controllerHeartbeat.findMany({ where }),
    db.podAutoscaler.findMany({ where, orderBy: [{ namespace: "asc" }, { name: "asc" }] }),
    db.podAutoscalerProfile.findMany({ where, orderBy: { name: "asc" } }),
    clusterNames(scope),
  ]);
  const now = Date.now();
  const process = (h: { clusterId: string; controllerId: string }) => `${h.clusterId}/${h.controllerId}`;
  const running = new Map(
    heartbeats.filter((h) => controllerState(h, now) === "running").map((h) => [process(h), h.isLeader]),
  );
  const clusterName = (id: string) => names.get(id) ?? id;
  return {
    gates: gates
      .filter((g) => running.has(process(g)))
      .map((g) => ({
        ...toDto(g),
        clusterName: clusterName(g.clusterId),
        isLeader: running.get(process(g)) ?? false,
      }))
      .sort(
        (a, b) =>
          a.clusterName.localeCompare(b.clusterName) ||
          Number(b.isLeader) - Number(a.isLeader) ||
          a.controllerId.localeCompare(b.controllerId),
      ),
    autoscalers: autoscalers.map(withConditions(names)),
    profiles: profiles.map(withConditions(names)),
  };
}
