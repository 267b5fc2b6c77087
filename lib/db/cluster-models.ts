// The models whose rows belong to a cluster, read off the generated client: every model of
// prisma/models.prisma with a `clusterId` field. The controller's cluster scope and the
// adoption of rows written before the fleet (controller/store/) both use this one list, so a
// new model with a clusterId is covered without anyone listing it.
import { Prisma } from "../../prisma/generated/sqlite/client";

type Scalars<M extends Prisma.ModelName> = Prisma.TypeMap["model"][M]["payload"]["scalars"];

/** A model with a clusterId, by name ("Command"). */
export type ClusterModel = {
  [M in Prisma.ModelName]: "clusterId" extends keyof Scalars<M> ? M : never;
}[Prisma.ModelName];

/** The generated client's field names of each model (its `<Model>ScalarFieldEnum`). */
const fieldsOf = (model: Prisma.ModelName): Record<string, string> =>
  (Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`] ?? {};

export const CLUSTER_MODELS: readonly ClusterModel[] = Object.values(Prisma.ModelName).filter(
  (model): model is ClusterModel => "clusterId" in fieldsOf(model),
);

/** A model's delegate on the client: "AuditEvent" → "auditEvent". */
export function delegateOf(model: Prisma.ModelName): Uncapitalize<Prisma.ModelName> {
  return (model.charAt(0).toLowerCase() + model.slice(1)) as Uncapitalize<Prisma.ModelName>;
}
