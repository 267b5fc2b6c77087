import { withScope } from "@/server/scope/request";
import { getFleetExperiment } from "@/server/queries/fleet-experiments";

export const dynamic = "force-dynamic";

/** One fleet experiment: its waves, each cluster's state and commands, its notifications. */
export async function GET(_request: Request, { params }: { params: Promise<{ name: string }> }) {
  return withScope(async (scope) => {
    const { name } = await params;
    const fx = await getFleetExperiment(scope, name);
    if (!fx) return Response.json({ error: `no fleet experiment named ${name}` }, { status: 404 });
    return Response.json(fx);
  });
}
