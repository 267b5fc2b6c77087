import { withScope } from "@/server/scope/request";
import { clusterFilterOf } from "@/server/queries/clusters";
import { listForwarders } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** Each cluster's forwarders' status as its leading controller last wrote it (?cluster= for one). */
export async function GET(request: Request) {
  return withScope(async (scope) => {
    const filter = await clusterFilterOf(scope, request);
    if (filter instanceof Response) return filter;
    return Response.json(await listForwarders(scope, filter));
  });
}
