import { withActor } from "@/server/auth";
import { spotOverview } from "@/server/queries/spot";

export const dynamic = "force-dynamic";

/** The spot scheduling read model: every spot workload with its split and latest events. */
export async function GET() {
  return withActor(async (actor) => Response.json(await spotOverview(actor)));
}
