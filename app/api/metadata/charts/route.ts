import { requireActor } from "@/server/auth";
import { sendCharts } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** Sends per minute by reason and latency percentiles over the last hour. */
export async function GET() {
  try {
    await requireActor();
  } catch (error) {
    return Response.json({ error: (error as Error).message }, { status: 401 });
  }
  return Response.json(await sendCharts());
}
