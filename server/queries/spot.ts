import "server-only";
import { commandAccess, type Permission } from "@/lib/access";
import type { Actor } from "@/lib/auth";
import type { SpotWorkloadKind } from "@/lib/spot";
import type { SpotEvent, SpotWorkload } from "@/prisma/generated/client";
import { getDb } from "../db";
import { permissions } from "./access";
import { toDto, type Dto } from "./dto";

export type SpotEventDto = Omit<Dto<SpotEvent>, "workloadKey">;

/** A SpotWorkload row (its fields are described in prisma/schema.prisma) with its timeline. */
export interface SpotWorkloadDto extends Omit<Dto<SpotWorkload>, "kind"> {
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

/** Every workload of the spot read model with its latest events. */
export async function spotOverview(viewer: Actor): Promise<SpotOverviewDto> {
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
        omit: { workloadKey: true },
      }),
    ),
  );
  const allowed = await permissions(
    viewer,
    rows.map((r) => commandAccess("disable-spot", `${r.namespace}/${r.name}`, { kind: r.kind })!),
  );
  return {
    workloads: rows.map((r, i) => ({
      ...toDto(r),
      kind: r.kind as SpotWorkloadKind,
      events: events[i]!.map(toDto),
      permission: allowed[i]!,
    })),
  };
}
