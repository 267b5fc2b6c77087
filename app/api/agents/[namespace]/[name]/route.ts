import { withScope } from "@/server/scope/request";
import { agentClusterOf } from "@/server/queries/agent-ref";
import { getAgent } from "@/server/queries/agents";

export const dynamic = "force-dynamic";

/** One agent: ?cluster=<name or id> (needed when several clusters have one of that name). */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ namespace: string; name: string }> },
) {
  return withScope(async (scope) => {
    const { namespace, name } = await params;
    const key = `${namespace}/${name}`;
    const clusterId = await agentClusterOf(scope, request, key);
    if (clusterId instanceof Response) return clusterId;
    const agent = await getAgent(scope, clusterId, key);
    if (!agent) return Response.json({ error: `no DatadogAgent ${key}` }, { status: 404 });
    return Response.json(agent);
  });
}
