import { AuditFiltersForm } from "@/components/audit/audit-filters-form";
import { AuditTable } from "@/components/audit/audit-table";
import { PageHeader } from "@/components/ui/page-header";
import { filtersToSearch, parseAuditFilters } from "@/lib/audit-filters";
import { auditFacets, listAudit } from "@/server/queries/audit";

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const filters = parseAuditFilters(params);
  const rawCursor = Array.isArray(params.cursor) ? params.cursor[0] : params.cursor;
  const cursor = rawCursor && /^\d+$/.test(rawCursor) ? Number(rawCursor) : undefined;
  const [page, facets] = await Promise.all([listAudit(filters, cursor), auditFacets()]);
  const search = filtersToSearch(filters);
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
      <AuditFiltersForm filters={filters} facets={facets} />
      <AuditTable filters={filters} cursor={cursor ?? null} initial={page} />
      <nav aria-label="Pages" className="mt-4 flex gap-4 text-sm">
        {cursor !== undefined && (
          <a className="text-sky-700 hover:underline" href={`/audit${search}`}>
            ← Newest
          </a>
        )}
        {page.nextCursor !== null && (
          <a
            className="text-sky-700 hover:underline"
            href={`/audit${filtersToSearch(filters, { cursor: String(page.nextCursor) })}`}
          >
            Older →
          </a>
        )}
      </nav>
    </>
  );
}
