import { SpotSection } from "@/components/autoscaling/spot/spot-section";
import { AutoscalersSection } from "@/components/autoscaling/autoscalers/autoscalers-section";
import { ClusterPicker } from "@/components/fleet/cluster-picker";
import { PageHeader } from "@/components/ui/page-header";
import { clusterParam } from "@/components/lib/search-params";
import { autoscalingOverview } from "@/server/queries/autoscaling";
import { listClusters, resolveCluster } from "@/server/queries/clusters";
import { spotOverview } from "@/server/queries/spot";
import { pageScope } from "@/server/scope/request";

export default async function AutoscalingPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const scope = await pageScope();
  const param = clusterParam.parse((await searchParams).cluster);
  const [clusters, cluster] = await Promise.all([listClusters(scope), resolveCluster(scope, param)]);
  const filter = cluster === null ? { clusterId: "(none)" } : { clusterId: cluster?.id };
  const [spot, autoscalers] = await Promise.all([
    spotOverview(scope, filter),
    autoscalingOverview(scope, filter),
  ]);
  return (
    <>
      <PageHeader title="Autoscaling" description="Spot scheduling and workload autoscalers." />
      <ClusterPicker path="/autoscaling" clusters={clusters} current={param} />
      <div className="space-y-10">
        <SpotSection initial={spot} cluster={param} />
        <AutoscalersSection initial={autoscalers} cluster={param} />
      </div>
    </>
  );
}
