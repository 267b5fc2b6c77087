import { parseMetadataFilters } from "@/components/lib/metadata-filters";
import { numberParam } from "@/components/lib/search-params";
import { withScope } from "@/server/scope/request";
import { listSends } from "@/server/queries/metadata";

export const dynamic = "force-dynamic";

/** The send log, newest first: ?forwarder=&kind=&object=&status=&reason=&cursor= */
export async function GET(request: Request) {
  return withScope(async (scope) => {
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const cursor = numberParam(params.cursor) ?? undefined;
    return Response.json(await listSends(scope, parseMetadataFilters(params), cursor));
  });
}
