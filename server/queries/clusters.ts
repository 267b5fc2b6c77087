import "server-only";
import type { ReadScope } from "../scope/read-scope";

export interface ClusterRef {
  id: string;
  name: string;
}

/** Every cluster of the fleet the actor sees, by name. */
export async function listClusters(scope: ReadScope): Promise<ClusterRef[]> {
  return scope.db.cluster.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
}

/** Cluster names by id, to label rows. */
export async function clusterNames(scope: ReadScope): Promise<Map<string, string>> {
  return new Map((await listClusters(scope)).map((c) => [c.id, c.name]));
}

/**
 * The cluster a URL's `cluster` parameter names (its id, or its display name), undefined when
 * the parameter is absent; `null` when it names no cluster of the fleet. An id comes first: a
 * cluster named after another's id must not stand for it. A cluster the actor does not see is
 * no cluster of theirs.
 */
export async function resolveCluster(
  scope: ReadScope,
  param: string | null | undefined,
): Promise<ClusterRef | null | undefined> {
  if (!param) return undefined;
  const clusters = await listClusters(scope);
  return clusters.find((c) => c.id === param) ?? clusters.find((c) => c.name === param) ?? null;
}

/** A 404 answer for a cluster parameter that names no cluster. */
export function unknownCluster(param: string): Response {
  return Response.json({ error: `no cluster "${param}" in the fleet` }, { status: 404 });
}

/** The `?cluster=` of a request: the filter to apply ({} for the whole fleet), or a 404 answer. */
export async function clusterFilterOf(
  scope: ReadScope,
  request: Request,
): Promise<{ clusterId?: string } | Response> {
  const param = new URL(request.url).searchParams.get("cluster");
  const cluster = await resolveCluster(scope, param);
  if (cluster === null) return unknownCluster(param!);
  return cluster ? { clusterId: cluster.id } : {};
}
