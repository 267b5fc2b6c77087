import { withScope } from "@/server/scope/request";
import { autoscalingOverview } from "@/server/queries/autoscaling";
import { clusterFilterOf } from "@/server/queries/clusters";

export const dynamic = "force-dynamic";

/** The workload autoscaling read model (?cluster= for one): each running controller's gate, autoscalers, profiles. */
export async function GET(request: Request) {
  return withScope(async (scope) => {
    const filter = await clusterFilterOf(scope, request);
    if (filter instanceof Response) return filter;
    return Response.json(await autoscalingOverview(scope, filter));
  });
}
