import { withScope } from "@/server/scope/request";
import { listFleetExperiments } from "@/server/queries/fleet-experiments";

export const dynamic = "force-dynamic";

/** Every fleet experiment the actor sees, newest first. */
export async function GET() {
  return withScope(async (scope) => Response.json(await listFleetExperiments(scope)));
}
