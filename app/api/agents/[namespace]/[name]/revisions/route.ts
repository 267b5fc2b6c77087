import { requireActor } from "@/server/auth";
import { listRevisions } from "@/server/queries/agents";

export const dynamic = "force-dynamic";

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ namespace: string; name: string }> },
) {
  try {
    await requireActor();
  } catch (error) {
    return Response.json({ error: (error as Error).message }, { status: 401 });
  }
  const { namespace, name } = await params;
  return Response.json(await listRevisions(`${namespace}/${name}`));
}
