import { withActor } from "@/server/auth";
import { listAgents } from "@/server/queries/agents";

export const dynamic = "force-dynamic";

export async function GET() {
  return withActor(async () => {
    return Response.json(await listAgents());
  });
}
