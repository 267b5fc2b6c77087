import { AuditFiltersForm } from "@/components/audit/audit-filters-form";
import { AuditTable } from "@/components/audit/audit-table";
import { ClusterPicker } from "@/components/fleet/cluster-picker";
import { PageHeader } from "@/components/ui/page-header";
import { Pager } from "@/components/ui/pager";
import { parseAuditFilters } from "@/components/lib/audit-filters";
import { filtersToSearch, numberParam } from "@/components/lib/search-params";
import { auditFacets, listAudit } from "@/server/queries/audit";
import { listClusters } from "@/server/queries/clusters";
import { pageScope } from "@/server/scope/request";

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const scope = await pageScope();
  const params = await searchParams;
  const filters = parseAuditFilters(params);
  const cursor = numberParam(params.cursor);
  const [page, facets, clusters] = await Promise.all([
    listAudit(scope, filters, cursor ?? undefined),
    auditFacets(scope),
    listClusters(scope),
  ]);
  return (
    <>
      <PageHeader
        title="Audit"
        description="Every command and every decision of the controller: who, what, on which object, and what came of it."
        actions={
          <div className="flex gap-2 text-sm">
            <a
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50"
              href={`/api/audit/export${filtersToSearch(filters, { format: "csv" })}`}
            >
              Export CSV
            </a>
            <a
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50"
              href={`/api/audit/export${filtersToSearch(filters, { format: "json" })}`}
            >
              Export JSON
            </a>
          </div>
        }
      />
      <ClusterPicker path="/audit" clusters={clusters} current={filters.cluster} params={filters} />
      <AuditFiltersForm filters={filters} facets={facets} />
      <AuditTable filters={filters} cursor={cursor} initial={page} />
      <Pager path="/audit" filters={filters} cursor={cursor} nextCursor={page.nextCursor} />
    </>
  );
}
