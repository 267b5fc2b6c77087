import { withActor } from "@/server/auth";
import { listFleetExperiments } from "@/server/queries/fleet-experiments";

export const dynamic = "force-dynamic";

/** Every fleet experiment, newest first. */
export async function GET() {
  return withActor(async () => Response.json(await listFleetExperiments()));
}
