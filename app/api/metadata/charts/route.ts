import { withActor } from "@/server/auth";
import { sendCharts } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** Sends per minute by reason and latency percentiles over the last hour. */
export async function GET() {
  return withActor(async () => {
    return Response.json(await sendCharts());
  });
}
