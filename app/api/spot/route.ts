import { withScope } from "@/server/scope/request";
import { clusterFilterOf } from "@/server/queries/clusters";
import { spotOverview } from "@/server/queries/spot";

export const dynamic = "force-dynamic";

/** The spot scheduling read model (?cluster= for one): every spot workload with its split and latest events. */
export async function GET(request: Request) {
  return withScope(async (scope) => {
    const filter = await clusterFilterOf(scope, request);
    if (filter instanceof Response) return filter;
    return Response.json(await spotOverview(scope, filter));
  });
}
