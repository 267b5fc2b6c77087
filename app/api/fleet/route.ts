import { withActor } from "@/server/auth";
import { fleetOverview } from "@/server/queries/fleet";

export const dynamic = "force-dynamic";

/** The fleet page: a card per cluster (controllers, agents, experiments, forwarding, spot, gate) and totals. */
export async function GET() {
  return withActor(async () => Response.json(await fleetOverview()));
}
