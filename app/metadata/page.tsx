import { ClusterPicker } from "@/components/fleet/cluster-picker";
import { ForwarderStatus } from "@/components/metadata/forwarder-status";
import { SendCharts } from "@/components/metadata/send-charts";
import { SendFiltersForm } from "@/components/metadata/send-filters-form";
import { SendLog } from "@/components/metadata/send-log";
import { PageHeader } from "@/components/ui/page-header";
import { Pager } from "@/components/ui/pager";
import { parseMetadataFilters } from "@/components/lib/metadata-filters";
import { numberParam } from "@/components/lib/search-params";
import { listClusters, resolveCluster } from "@/server/queries/clusters";
import { listForwarders, listSends } from "@/server/queries/metadata";
import { sendCharts } from "@/server/queries/metadata-charts";
import { pageScope } from "@/server/scope/request";

export default async function MetadataPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const scope = await pageScope();
  const params = await searchParams;
  const filters = parseMetadataFilters(params);
  const cursor = numberParam(params.cursor);
  const [clusters, cluster] = await Promise.all([
    listClusters(scope),
    resolveCluster(scope, filters.cluster),
  ]);
  // A cluster that is not in the fleet (or not the actor's) filters everything out.
  const filter = cluster === null ? { clusterId: "(none)" } : { clusterId: cluster?.id };
  const [page, forwarders, charts] = await Promise.all([
    listSends(scope, filters, cursor ?? undefined),
    listForwarders(scope, filter),
    sendCharts(scope, filter),
  ]);
  return (
    <>
      <PageHeader
        title="Metadata"
        description="What the CRD and Helm forwarders send to the Datadog intake: every attempt, its payload and what changed since the previous one."
      />
      <ClusterPicker path="/metadata" clusters={clusters} current={filters.cluster} params={filters} />
      <ForwarderStatus initial={forwarders} cluster={filters.cluster} />
      <SendCharts initial={charts} cluster={filters.cluster} />
      <SendFiltersForm filters={filters} />
      <SendLog filters={filters} cursor={cursor} initial={page} initialSelected={numberParam(params.send)} />
      <Pager path="/metadata" filters={filters} cursor={cursor} nextCursor={page.nextCursor} />
    </>
  );
}
