import "server-only";
import { decodeLabels, type Labels } from "@/lib/labels";
import { getDb } from "../db";

export interface ClusterRef {
  id: string;
  name: string;
}

/** Every cluster of the fleet, by name. */
export async function listClusters(): Promise<ClusterRef[]> {
  const db = await getDb();
  return db.cluster.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
}

/** Cluster names by id, to label rows. */
export async function clusterNames(): Promise<Map<string, string>> {
  return new Map((await listClusters()).map((c) => [c.id, c.name]));
}

/**
 * The cluster a URL's `cluster` parameter names (its display name, or its id), undefined when
 * the parameter is absent; `null` when it names no cluster of the fleet.
 */
export async function resolveCluster(
  param: string | null | undefined,
): Promise<ClusterRef | null | undefined> {
  if (!param) return undefined;
  const clusters = await listClusters();
  return clusters.find((c) => c.name === param) ?? clusters.find((c) => c.id === param) ?? null;
}

/** A 404 answer for a cluster parameter that names no cluster. */
export function unknownCluster(param: string): Response {
  return Response.json({ error: `no cluster "${param}" in the fleet` }, { status: 404 });
}

/** The `?cluster=` of a request: the filter to apply ({} for the whole fleet), or a 404 answer. */
export async function clusterFilterOf(request: Request): Promise<{ clusterId?: string } | Response> {
  const param = new URL(request.url).searchParams.get("cluster");
  const cluster = await resolveCluster(param);
  if (cluster === null) return unknownCluster(param!);
  return cluster ? { clusterId: cluster.id } : {};
}

/** Every cluster of the fleet with its labels (what fleet experiments' waves select), by name. */
export async function listClusterLabels(): Promise<{ name: string; labels: Labels }[]> {
  const db = await getDb();
  const rows = await db.cluster.findMany({ select: { name: true, labels: true }, orderBy: { name: "asc" } });
  return rows.map((c) => ({ name: c.name, labels: decodeLabels(c.labels) }));
}
