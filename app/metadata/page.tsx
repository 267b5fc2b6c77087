import { ForwarderStatus } from "@/components/metadata/forwarder-status";
import { SendCharts } from "@/components/metadata/send-charts";
import { SendFiltersForm } from "@/components/metadata/send-filters-form";
import { SendLog } from "@/components/metadata/send-log";
import { PageHeader } from "@/components/ui/page-header";
import { filtersToSearch } from "@/lib/audit-filters";
import { parseMetadataFilters } from "@/lib/metadata-filters";
import { listForwarders, listSends, sendCharts } from "@/server/queries/metadata";

const numberParam = (value: string | string[] | undefined): number | null => {
  const v = Array.isArray(value) ? value[0] : value;
  return v && /^\d+$/.test(v) ? Number(v) : null;
};

export default async function MetadataPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const filters = parseMetadataFilters(params);
  const cursor = numberParam(params.cursor);
  const [page, forwarders, charts] = await Promise.all([
    listSends(filters, cursor ?? undefined),
    listForwarders(),
    sendCharts(),
  ]);
  return (
    <>
      <PageHeader
        title="Metadata"
        description="What the CRD and Helm forwarders send to the Datadog intake: every attempt, its payload and what changed since the previous one."
      />
      <ForwarderStatus initial={forwarders} />
      <SendCharts initial={charts} />
      <SendFiltersForm filters={filters} />
      <SendLog filters={filters} cursor={cursor} initial={page} initialSelected={numberParam(params.send)} />
      <nav aria-label="Pages" className="mt-4 flex gap-4 text-sm">
        {cursor !== null && (
          <a className="text-sky-700 hover:underline" href={`/metadata${filtersToSearch(filters)}`}>
            ← Newest
          </a>
        )}
        {page.nextCursor !== null && (
          <a
            className="text-sky-700 hover:underline"
            href={`/metadata${filtersToSearch(filters, { cursor: String(page.nextCursor) })}`}
          >
            Older →
          </a>
        )}
      </nav>
    </>
  );
}
