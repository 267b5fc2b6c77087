import { withActor } from "@/server/auth";
import { listAgents } from "@/server/queries/agents";
import { clusterFilterOf } from "@/server/queries/clusters";

export const dynamic = "force-dynamic";

/** Every agent of the fleet, or of one cluster with ?cluster=<name or id>. */
export async function GET(request: Request) {
  return withActor(async () => {
    const filter = await clusterFilterOf(request);
    if (filter instanceof Response) return filter;
    return Response.json(await listAgents(filter));
  });
}
