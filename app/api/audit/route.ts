import { parseAuditFilters } from "@/lib/audit-filters";
import { withActor } from "@/server/auth";
import { listAudit } from "@/server/queries/audit";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return withActor(async () => {
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const cursor = params.cursor && /^\d+$/.test(params.cursor) ? Number(params.cursor) : undefined;
    return Response.json(await listAudit(parseAuditFilters(params), cursor));
  });
}
