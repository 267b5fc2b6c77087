// The fleet's Cluster table, as a controller sees it: it registers its cluster (id = UID of
// kube-system, a display name unique in the fleet) before writing anything, and adopts the rows
// written before the store knew clusters (clusterId '', see the SQLite fleet migration). On
// PostgreSQL with a cluster's own database login (npm run fleet:add-cluster), the owner has
// registered the cluster already: the controller may only refresh its row (docs/security.md).
import { CLUSTER_MODELS, delegateOf } from "../../lib/db/cluster-models";
import type { Database } from "../../lib/db/open";
import { providerOf, withRetry } from "../../lib/db/open";
import type { Labels } from "../../lib/labels";
import { TOPICS } from "../../lib/topics";
import type { ClusterIdentity } from "../kube/cluster";
import type { Logger } from "../log";
import { recordChange } from "./changes";

/** Why a controller cannot join the fleet as configured: it stops with the reason (exit code 2). */
export class ClusterRegistrationError extends Error {
  override name = "ClusterRegistrationError";
}

/** Two clusters may not share a display name: the dashboard and commands name clusters by it. */
export class ClusterNameConflictError extends ClusterRegistrationError {
  override name = "ClusterNameConflictError";
  constructor(clusterName: string, registeredId: string, ownId: string) {
    super(
      `cluster name "${clusterName}" is already registered by cluster ${registeredId}; this controller's ` +
        `cluster is ${ownId}: give it another name with FLEETDECK_CLUSTER_NAME (--cluster-name)`,
    );
  }
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

/** Who the store's login is: a cluster's (its id), or one that may register clusters (owner, superuser, SQLite). */
type Login = { cluster: string } | { cluster: null; mayRegister: boolean; role: string };

async function storeLogin(db: Database): Promise<Login> {
  if (providerOf(db) === "sqlite") return { cluster: null, mayRegister: true, role: "" };
  const [row] = await db.$queryRawUnsafe<{ cluster: string | null; mayRegister: boolean; role: string }[]>(
    `SELECT fleetdeck_cluster_id() AS "cluster", has_table_privilege('"Cluster"', 'INSERT') AS "mayRegister", session_user::text AS "role"`,
  );
  return row!.cluster ? { cluster: row!.cluster } : { ...row!, cluster: null };
}

/**
 * Registers (or renames, or refreshes) this controller's cluster, with the labels its
 * configuration gives it (FLEETDECK_CLUSTER_LABELS; left as they are when not given); returns
 * the name the fleet knows it by. A cluster's own login refreshes the row the owner registered,
 * under the name given there (FLEETDECK_CLUSTER_NAME may be left unset, or must be that name).
 */
export async function registerCluster(
  db: Database,
  cluster: ClusterIdentity,
  labels?: Labels,
): Promise<string> {
  const login = await withRetry(() => storeLogin(db));
  if (login.cluster !== null) return refreshOwnCluster(db, cluster, login.cluster, labels);
  if (!login.mayRegister) {
    throw new ClusterRegistrationError(
      `the database login ${login.role} is no cluster's (npm run fleet:remove-cluster removed it, or it is the hub's) ` +
        `and may not register clusters: give this cluster its own login (npm run fleet:add-cluster)`,
    );
  }
  const data = {
    name: cluster.name,
    kubernetesVersion: cluster.kubernetesVersion,
    apiServer: cluster.server,
    ...(labels ? { labels: JSON.stringify(labels) } : {}),
    updatedAt: new Date(),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await withRetry(() =>
        db.$transaction(async (tx) => {
          // A write first: on SQLite a transaction that read first cannot take the write lock
          // another process holds (SQLITE_BUSY at once, no busy wait), which two controllers
          // starting together hit; a write waits for the lock instead.
          await recordChange(tx, TOPICS.controller, cluster.clusterId);
          const holder = await tx.cluster.findUnique({ where: { name: cluster.name } });
          if (holder && holder.id !== cluster.clusterId) {
            throw new ClusterNameConflictError(cluster.name, holder.id, cluster.clusterId);
          }
          // A name that is another cluster's id would let that name stand for the other cluster
          // where a cluster is named by its name or id (?cluster=, signals).
          if (
            cluster.name !== cluster.clusterId &&
            (await tx.cluster.findUnique({ where: { id: cluster.name } }))
          ) {
            throw new ClusterRegistrationError(
              `cluster name "${cluster.name}" is the id of another cluster of the fleet; this controller's ` +
                `cluster is ${cluster.clusterId}: give it another name with FLEETDECK_CLUSTER_NAME (--cluster-name)`,
            );
          }
          await tx.cluster.upsert({
            where: { id: cluster.clusterId },
            create: { id: cluster.clusterId, ...data },
            update: data,
          });
        }),
      );
      return cluster.name;
    } catch (error) {
      // Another controller registered the same name (or this cluster) at the same moment: look again.
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

/** With a cluster's own login: its id and name are the owner's (fleet:add-cluster); it refreshes the rest. */
async function refreshOwnCluster(
  db: Database,
  cluster: ClusterIdentity,
  loginCluster: string,
  labels: Labels | undefined,
): Promise<string> {
  if (loginCluster !== cluster.clusterId) {
    throw new ClusterRegistrationError(
      `this controller's database login belongs to cluster ${loginCluster}, not to this cluster ` +
        `(${cluster.clusterId}): give it this cluster's own login (npm run fleet:add-cluster)`,
    );
  }
  const row = await withRetry(() => db.cluster.findUnique({ where: { id: cluster.clusterId } }));
  if (!row) {
    throw new ClusterRegistrationError(
      `cluster ${cluster.clusterId} has a database login but no Cluster row: add it again (npm run fleet:add-cluster)`,
    );
  }
  if (cluster.nameGiven && row.name !== cluster.name) {
    throw new ClusterRegistrationError(
      `this cluster joined the fleet as "${row.name}" (npm run fleet:add-cluster) and its database login may not ` +
        `rename it: set FLEETDECK_CLUSTER_NAME to "${row.name}" or leave it unset`,
    );
  }
  await withRetry(() =>
    db.$transaction(async (tx) => {
      await recordChange(tx, TOPICS.controller, cluster.clusterId);
      await tx.cluster.update({
        where: { id: cluster.clusterId },
        data: {
          kubernetesVersion: cluster.kubernetesVersion,
          apiServer: cluster.server,
          // Its labels are its own claim, as its version is (docs/security.md).
          ...(labels ? { labels: JSON.stringify(labels) } : {}),
          updatedAt: new Date(),
        },
      });
    }),
  );
  return row.name;
}

/**
 * A controller joins the fleet: it registers its cluster and adopts the rows of before the
 * fleet; returns the name the fleet knows the cluster by. Only a SQLite file has such rows: a
 * PostgreSQL store was a fleet's from its first migration.
 */
export async function joinFleet(
  db: Database,
  cluster: ClusterIdentity,
  log: Logger,
  labels?: Labels,
): Promise<string> {
  const name = await registerCluster(db, cluster, labels);
  if (providerOf(db) !== "sqlite") return name;
  const adopted = await adoptUnassignedRows(db, cluster.clusterId);
  if (adopted > 0) log.info({ component: "store", rows: adopted }, "adopted rows written before the fleet");
  return name;
}

/**
 * Rows migrated from a single-cluster database carry clusterId '': they were this database's
 * one cluster, so the first controller that registers takes them. Returns how many.
 */
export async function adoptUnassignedRows(db: Database, clusterId: string): Promise<number> {
  return withRetry(() =>
    db.$transaction(async (tx) => {
      let adopted = 0;
      // Every table of cluster rows: those created after the fleet migration have none with ''.
      for (const model of CLUSTER_MODELS) {
        const delegate = tx[delegateOf(model)] as unknown as {
          updateMany(args: {
            where: { clusterId: string };
            data: { clusterId: string };
          }): Promise<{ count: number }>;
        };
        adopted += (await delegate.updateMany({ where: { clusterId: "" }, data: { clusterId } })).count;
      }
      return adopted;
    }),
  );
}
