import { withActor } from "@/server/auth";
import { listExperiments } from "@/server/queries/experiments";

export const dynamic = "force-dynamic";

/** Every experiment, or one agent's with ?agent=namespace/name. */
export async function GET(request: Request) {
  return withActor(async () => {
    const agent = new URL(request.url).searchParams.get("agent") ?? undefined;
    return Response.json(await listExperiments(agent));
  });
}
