// The spot read model's row as the controller computes it: Prisma's type (prisma/schema.prisma)
// without the time of the write. Written by controller/autoscaling/spot/read-model.ts.
import type { SpotWorkload } from "../../prisma/generated/client";

export type SpotWorkloadRow = Omit<SpotWorkload, "updatedAt">;
