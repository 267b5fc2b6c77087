import "server-only";
import type { ReadScope } from "../scope/read-scope";
import { clustersWithAgent } from "./agents";
import { resolveCluster, unknownCluster } from "./clusters";

/**
 * The cluster of an agent named by a route: `?cluster=` (name or id) when given; else the one
 * cluster that has an agent of this key. Several clusters with that key: a 400 asking which.
 */
export async function agentClusterOf(
  scope: ReadScope,
  request: Request,
  key: string,
): Promise<string | Response> {
  const param = new URL(request.url).searchParams.get("cluster");
  if (param) {
    const cluster = await resolveCluster(scope, param);
    return cluster ? cluster.id : unknownCluster(param);
  }
  const clusters = await clustersWithAgent(scope, key);
  if (clusters.length === 1) return clusters[0]!;
  if (clusters.length === 0) return Response.json({ error: `no DatadogAgent ${key}` }, { status: 404 });
  return Response.json(
    { error: `${clusters.length} clusters have a DatadogAgent ${key}: name one with ?cluster=` },
    { status: 400 },
  );
}
