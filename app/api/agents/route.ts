import { requireActor } from "@/server/auth";
import { listAgents } from "@/server/queries/agents";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await requireActor();
  } catch (error) {
    return Response.json({ error: (error as Error).message }, { status: 401 });
  }
  return Response.json(await listAgents());
}
