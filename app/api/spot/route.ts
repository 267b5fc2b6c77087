import { withActor } from "@/server/auth";
import { clusterFilterOf } from "@/server/queries/clusters";
import { spotOverview } from "@/server/queries/spot";

export const dynamic = "force-dynamic";

/** The spot scheduling read model (?cluster= for one): every spot workload with its split and latest events. */
export async function GET(request: Request) {
  return withActor(async (actor) => {
    const filter = await clusterFilterOf(request);
    if (filter instanceof Response) return filter;
    return Response.json(await spotOverview(actor, filter));
  });
}
