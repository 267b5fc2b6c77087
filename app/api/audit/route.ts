import { parseAuditFilters } from "@/components/lib/audit-filters";
import { numberParam } from "@/components/lib/search-params";
import { withScope } from "@/server/scope/request";
import { listAudit } from "@/server/queries/audit";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return withScope(async (scope) => {
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const cursor = numberParam(params.cursor) ?? undefined;
    return Response.json(await listAudit(scope, parseAuditFilters(params), cursor));
  });
}
