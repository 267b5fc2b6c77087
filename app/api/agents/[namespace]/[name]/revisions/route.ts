import { withActor } from "@/server/auth";
import { agentClusterOf } from "@/server/queries/agent-ref";
import { listRevisions } from "@/server/queries/revisions";

export const dynamic = "force-dynamic";

export async function GET(
  request: Request,
  { params }: { params: Promise<{ namespace: string; name: string }> },
) {
  return withActor(async () => {
    const { namespace, name } = await params;
    const key = `${namespace}/${name}`;
    const clusterId = await agentClusterOf(request, key);
    if (clusterId instanceof Response) return clusterId;
    return Response.json(await listRevisions(clusterId, key));
  });
}
