import { requireActor } from "@/server/auth";
import { spotOverview } from "@/server/queries/spot";

export const dynamic = "force-dynamic";

/** The spot scheduling read model: every spot workload with its split and latest events. */
export async function GET() {
  try {
    await requireActor();
  } catch (error) {
    return Response.json({ error: (error as Error).message }, { status: 401 });
  }
  return Response.json(await spotOverview());
}
