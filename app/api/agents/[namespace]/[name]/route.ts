import { withActor } from "@/server/auth";
import { agentClusterOf } from "@/server/queries/agent-ref";
import { getAgent } from "@/server/queries/agents";

export const dynamic = "force-dynamic";

/** One agent: ?cluster=<name or id> (needed when several clusters have one of that name). */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ namespace: string; name: string }> },
) {
  return withActor(async (actor) => {
    const { namespace, name } = await params;
    const key = `${namespace}/${name}`;
    const clusterId = await agentClusterOf(request, key);
    if (clusterId instanceof Response) return clusterId;
    const agent = await getAgent(clusterId, key, actor);
    if (!agent) return Response.json({ error: `no DatadogAgent ${key}` }, { status: 404 });
    return Response.json(agent);
  });
}
