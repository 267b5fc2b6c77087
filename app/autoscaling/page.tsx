import { SpotSection } from "@/components/autoscaling/spot/spot-section";
import { AutoscalersSection } from "@/components/autoscaling/autoscalers/autoscalers-section";
import { ClusterPicker } from "@/components/fleet/cluster-picker";
import { PageHeader } from "@/components/ui/page-header";
import { clusterParam } from "@/components/lib/search-params";
import { autoscalingOverview } from "@/server/queries/autoscaling";
import { listClusters, resolveCluster } from "@/server/queries/clusters";
import { spotOverview } from "@/server/queries/spot";
import { requireActor } from "@/server/auth";

export default async function AutoscalingPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireActor();
  const param = clusterParam.parse((await searchParams).cluster);
  const [clusters, cluster] = await Promise.all([listClusters(), resolveCluster(param)]);
  const scope = cluster === null ? { clusterId: "(none)" } : { clusterId: cluster?.id };
  const [spot, autoscalers] = await Promise.all([spotOverview(actor, scope), autoscalingOverview(scope)]);
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
