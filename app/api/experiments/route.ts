import { withScope } from "@/server/scope/request";
import { clusterFilterOf } from "@/server/queries/clusters";
import { listExperiments } from "@/server/queries/experiments";

export const dynamic = "force-dynamic";

/** Every experiment, or one cluster's (?cluster=), or one agent's (?cluster=&agent=namespace/name). */
export async function GET(request: Request) {
  return withScope(async (scope) => {
    const filter = await clusterFilterOf(scope, request);
    if (filter instanceof Response) return filter;
    const agent = new URL(request.url).searchParams.get("agent") ?? undefined;
    return Response.json(await listExperiments(scope, { ...filter, agentKey: agent }));
  });
}
