import { withActor } from "@/server/auth";
import { getAgent } from "@/server/queries/agents";

export const dynamic = "force-dynamic";

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ namespace: string; name: string }> },
) {
  return withActor(async (actor) => {
    const { namespace, name } = await params;
    const agent = await getAgent(`${namespace}/${name}`, actor);
    if (!agent) return Response.json({ error: `no DatadogAgent ${namespace}/${name}` }, { status: 404 });
    return Response.json(agent);
  });
}
