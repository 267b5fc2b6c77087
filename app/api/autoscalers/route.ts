import { withActor } from "@/server/auth";
import { autoscalingOverview } from "@/server/queries/autoscaling";
import { clusterFilterOf } from "@/server/queries/clusters";

export const dynamic = "force-dynamic";

/** The workload autoscaling read model (?cluster= for one): each running controller's gate, autoscalers, profiles. */
export async function GET(request: Request) {
  return withActor(async () => {
    const filter = await clusterFilterOf(request);
    if (filter instanceof Response) return filter;
    return Response.json(await autoscalingOverview(filter));
  });
}
