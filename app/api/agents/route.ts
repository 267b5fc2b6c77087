import { withScope } from "@/server/scope/request";
import { listAgents } from "@/server/queries/agents";
import { clusterFilterOf } from "@/server/queries/clusters";

export const dynamic = "force-dynamic";

/** Every agent of the fleet, or of one cluster with ?cluster=<name or id>. */
export async function GET(request: Request) {
  return withScope(async (scope) => {
    const filter = await clusterFilterOf(scope, request);
    if (filter instanceof Response) return filter;
    return Response.json(await listAgents(scope, filter));
  });
}
