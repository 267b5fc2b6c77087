import { withScope } from "@/server/scope/request";
import { fleetOverview } from "@/server/queries/fleet";

export const dynamic = "force-dynamic";

/** The fleet page: a card per cluster (controllers, agents, experiments, forwarding, spot, gate) and totals. */
export async function GET() {
  return withScope(async (scope) => Response.json(await fleetOverview(scope)));
}
