// A controller reads and writes only its own cluster's rows. Every query it sends on a table of
// cluster rows names the cluster (in its where, and in the rows it creates); this Prisma query
// extension refuses any that does not name this controller's cluster, so a forgotten filter
// fails loudly in the tests instead of touching another cluster's rows.
import { CLUSTER_MODELS } from "../../lib/db/cluster-models";
import { deriveClient, type Database } from "../../lib/db/open";

/** The models whose rows belong to a cluster (every model with a clusterId: lib/db/cluster-models.ts). */
const SCOPED: ReadonlySet<string> = new Set(CLUSTER_MODELS);

export class ClusterScopeError extends Error {
  override name = "ClusterScopeError";
}

type Args = { where?: unknown; data?: unknown; create?: unknown; update?: unknown };
type Where = Record<string, unknown> & { AND?: unknown };

/** Whether a where names the cluster: `clusterId`, a compound key `clusterId_…`, or one of its ANDs. */
export function whereNamesCluster(where: unknown, clusterId: string): boolean {
  if (!where || typeof where !== "object") return false;
  const w = where as Where;
  if (w.clusterId === clusterId) return true;
  for (const [key, value] of Object.entries(w)) {
    if (key.startsWith("clusterId_") && (value as { clusterId?: unknown } | null)?.clusterId === clusterId)
      return true;
  }
  const and = Array.isArray(w.AND) ? w.AND : w.AND ? [w.AND] : [];
  return and.some((clause) => whereNamesCluster(clause, clusterId));
}

const rowsOf = (data: unknown): unknown[] => (Array.isArray(data) ? data : [data]);
const rowIsOurs = (row: unknown, clusterId: string) =>
  (row as { clusterId?: unknown })?.clusterId === clusterId;

/** Why the operation does not stay in the cluster, or undefined when it does. */
export function scopeViolation(operation: string, args: Args, clusterId: string): string | undefined {
  switch (operation) {
    case "create":
    case "createMany":
    case "createManyAndReturn":
      return rowsOf(args.data).every((row) => rowIsOurs(row, clusterId))
        ? undefined
        : "creates a row of another cluster";
    case "upsert":
      if (!rowIsOurs(args.create, clusterId)) return "creates a row of another cluster";
      break;
  }
  const data = operation === "upsert" ? args.update : args.data;
  if (
    ["update", "updateMany", "updateManyAndReturn", "upsert"].includes(operation) &&
    data &&
    typeof data === "object" &&
    "clusterId" in data &&
    (data as { clusterId: unknown }).clusterId !== clusterId
  ) {
    return "moves a row to another cluster";
  }
  return whereNamesCluster(args.where, clusterId) ? undefined : "does not name this cluster in its where";
}

/** The store as a controller of `clusterId` may use it. */
export function scopeToCluster(db: Database, clusterId: string): Database {
  const scoped = db.$extends({
    name: "cluster-scope",
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          if (SCOPED.has(model)) {
            const violation = scopeViolation(operation, args as Args, clusterId);
            if (violation) {
              throw new ClusterScopeError(`${model}.${operation} ${violation} (${clusterId})`);
            }
          }
          return query(args);
        },
      },
    },
  });
  return deriveClient(db, scoped as unknown as Database);
}
