import { withScope } from "@/server/scope/request";
import { agentClusterOf } from "@/server/queries/agent-ref";
import { listRevisions } from "@/server/queries/revisions";

export const dynamic = "force-dynamic";

export async function GET(
  request: Request,
  { params }: { params: Promise<{ namespace: string; name: string }> },
) {
  return withScope(async (scope) => {
    const { namespace, name } = await params;
    const key = `${namespace}/${name}`;
    const clusterId = await agentClusterOf(scope, request, key);
    if (clusterId instanceof Response) return clusterId;
    return Response.json(await listRevisions(scope, clusterId, key));
  });
}
