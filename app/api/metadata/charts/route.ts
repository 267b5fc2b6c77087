import { withScope } from "@/server/scope/request";
import { clusterFilterOf } from "@/server/queries/clusters";
import { sendCharts } from "@/server/queries/metadata-charts";

export const dynamic = "force-dynamic";

/** Sends per minute by reason and latency percentiles over the last hour (?cluster= for one). */
export async function GET(request: Request) {
  return withScope(async (scope) => {
    const filter = await clusterFilterOf(scope, request);
    if (filter instanceof Response) return filter;
    return Response.json(await sendCharts(scope, filter));
  });
}
