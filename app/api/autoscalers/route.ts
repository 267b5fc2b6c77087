import { withActor } from "@/server/auth";
import { autoscalingOverview } from "@/server/queries/autoscaling";

export const dynamic = "force-dynamic";

/** The workload autoscaling read model: each running controller's gate, autoscalers, profiles. */
export async function GET() {
  return withActor(async () => {
    return Response.json(await autoscalingOverview());
  });
}
