import { withActor } from "@/server/auth";
import { clusterFilterOf } from "@/server/queries/clusters";
import { sendCharts } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** Sends per minute by reason and latency percentiles over the last hour (?cluster= for one). */
export async function GET(request: Request) {
  return withActor(async () => {
    const filter = await clusterFilterOf(request);
    if (filter instanceof Response) return filter;
    return Response.json(await sendCharts(filter));
  });
}
