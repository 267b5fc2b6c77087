// The fleet's Cluster table, as a controller sees it: it registers its cluster (id = UID of
// kube-system, a display name unique in the fleet) before writing anything, and adopts the rows
// written before the store knew clusters (clusterId '', see the SQLite fleet migration).
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import type { Labels } from "../../lib/labels";
import { TOPICS } from "../../lib/topics";
import type { ClusterIdentity } from "../kube/cluster";
import type { Logger } from "../log";
import { recordChange } from "./changes";

/** Two clusters may not share a display name: the dashboard and commands name clusters by it. */
export class ClusterNameConflictError extends Error {
  override name = "ClusterNameConflictError";
  constructor(clusterName: string, registeredId: string, ownId: string) {
    super(
      `cluster name "${clusterName}" is already registered by cluster ${registeredId}; this controller's ` +
        `cluster is ${ownId}: give it another name with FLEETDECK_CLUSTER_NAME (--cluster-name)`,
    );
  }
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

/**
 * Registers (or renames, or refreshes) this controller's cluster, with the labels its
 * configuration gives it (FLEETDECK_CLUSTER_LABELS; left as they are when not given).
 */
export async function registerCluster(
  db: Database,
  cluster: ClusterIdentity,
  labels?: Labels,
): Promise<void> {
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
          await tx.cluster.upsert({
            where: { id: cluster.clusterId },
            create: { id: cluster.clusterId, ...data },
            update: data,
          });
        }),
      );
      return;
    } catch (error) {
      // Another controller registered the same name (or this cluster) at the same moment: look again.
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

/** A controller joins the fleet: it registers its cluster and adopts the rows of before the fleet. */
export async function joinFleet(
  db: Database,
  cluster: ClusterIdentity,
  log: Logger,
  labels?: Labels,
): Promise<void> {
  await registerCluster(db, cluster, labels);
  const adopted = await adoptUnassignedRows(db, cluster.clusterId);
  if (adopted > 0) log.info({ component: "store", rows: adopted }, "adopted rows written before the fleet");
}

/** The tables whose rows carry a cluster, with the rows written before clusters existed. */
const ADOPTABLE = [
  "command",
  "auditEvent",
  "metadataSend",
  "metadataForwarder",
  "spotWorkload",
  "spotEvent",
  "autoscalingGate",
  "podAutoscaler",
  "podAutoscalerProfile",
  "agent",
  "agentRevision",
  "experiment",
] as const;

/**
 * Rows migrated from a single-cluster database carry clusterId '': they were this database's
 * one cluster, so the first controller that registers takes them. Returns how many.
 */
export async function adoptUnassignedRows(db: Database, clusterId: string): Promise<number> {
  return withRetry(() =>
    db.$transaction(async (tx) => {
      let adopted = 0;
      for (const table of ADOPTABLE) {
        const delegate = tx[table] as unknown as {
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
