import "server-only";
import { commandAccess, type Permission } from "@/lib/access";
import type { SpotWorkloadKind } from "@/lib/spot";
import type { SpotEvent, SpotWorkload } from "@/lib/db/models";
import type { ReadScope } from "../scope/read-scope";
import { clusterNames } from "./clusters";
import { permissions } from "./access";
import { toDto, type Dto } from "./dto";

export type SpotEventDto = Omit<Dto<SpotEvent>, "workloadKey" | "clusterId">;

/** A SpotWorkload row (its fields are described in prisma/models.prisma) with its timeline. */
export interface SpotWorkloadDto extends Omit<Dto<SpotWorkload>, "kind"> {
  clusterName: string;
  kind: SpotWorkloadKind;
  /** Newest first. */
  events: SpotEventDto[];
  /** Whether the viewer may disable and re-enable spot (patch the workload). */
  permission: Permission;
}

export interface SpotOverviewDto {
  workloads: SpotWorkloadDto[];
}

const EVENTS_PER_WORKLOAD = 25;

/** Every workload of the spot read model (of every cluster, or of one) with its latest events. */
export async function spotOverview(
  scope: ReadScope,
  filter: { clusterId?: string } = {},
): Promise<SpotOverviewDto> {
  const { db } = scope;
  const [rows, names] = await Promise.all([
    db.spotWorkload.findMany({
      where: filter.clusterId ? { clusterId: filter.clusterId } : {},
      orderBy: [{ namespace: "asc" }, { name: "asc" }, { kind: "asc" }, { clusterId: "asc" }],
    }),
    clusterNames(scope),
  ]);
  const events = await Promise.all(
    rows.map((r) =>
      db.spotEvent.findMany({
        where: { clusterId: r.clusterId, workloadKey: r.key },
        orderBy: { id: "desc" },
        take: EVENTS_PER_WORKLOAD,
        omit: { workloadKey: true, clusterId: true },
      }),
    ),
  );
  const allowed = await permissions(
    scope,
    rows.map((r) => ({
      clusterId: r.clusterId,
      ...commandAccess("disable-spot", `${r.namespace}/${r.name}`, { kind: r.kind })!,
    })),
  );
  return {
    workloads: rows.map((r, i) => ({
      ...toDto(r),
      clusterName: names.get(r.clusterId) ?? r.clusterId,
      kind: r.kind as SpotWorkloadKind,
      events: events[i]!.map(toDto),
      permission: allowed[i]!,
    })),
  };
}
