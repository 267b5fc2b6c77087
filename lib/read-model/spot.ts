// The spot read model's row as the controller computes it: Prisma's type (prisma/models.prisma)
// without the time of the write. Written by controller/autoscaling/spot/read-model.ts.
import type { SpotWorkload } from "../db/models";

/** The row without its cluster, which the writer adds. */
export type SpotWorkloadRow = Omit<SpotWorkload, "updatedAt" | "clusterId">;
