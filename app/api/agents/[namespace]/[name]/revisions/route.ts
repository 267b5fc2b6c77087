import { withActor } from "@/server/auth";
import { listRevisions } from "@/server/queries/revisions";

export const dynamic = "force-dynamic";

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ namespace: string; name: string }> },
) {
  return withActor(async () => {
    const { namespace, name } = await params;
    return Response.json(await listRevisions(`${namespace}/${name}`));
  });
}
