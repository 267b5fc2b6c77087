import { requireActor } from "@/server/auth";
import { autoscalingOverview } from "@/server/queries/autoscaling";

export const dynamic = "force-dynamic";

/** The workload autoscaling read model: each running controller's gate, autoscalers, profiles. */
export async function GET() {
  try {
    await requireActor();
  } catch (error) {
    return Response.json({ error: (error as Error).message }, { status: 401 });
  }
  return Response.json(await autoscalingOverview());
}
