import { withScope } from "@/server/scope/request";
import { getSendDetail } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** One send with its payload and the diff against the previous send of the same object. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withScope(async (scope) => {
    const { id } = await params;
    if (!/^\d+$/.test(id)) return Response.json({ error: "send id must be a number" }, { status: 400 });
    const detail = await getSendDetail(scope, Number(id));
    if (!detail) return Response.json({ error: `no send ${id} (it may have been pruned)` }, { status: 404 });
    return Response.json(detail);
  });
}
