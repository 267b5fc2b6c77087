import { ExperimentsTable } from "@/components/experiments/experiments-table";
import { ClusterPicker } from "@/components/fleet/cluster-picker";
import { PageHeader } from "@/components/ui/page-header";
import { clusterParam } from "@/components/lib/search-params";
import { listClusters, resolveCluster } from "@/server/queries/clusters";
import { listExperiments } from "@/server/queries/experiments";
import { pageScope } from "@/server/scope/request";

export default async function ExperimentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const scope = await pageScope();
  const param = clusterParam.parse((await searchParams).cluster);
  const [clusters, cluster] = await Promise.all([listClusters(scope), resolveCluster(scope, param)]);
  const experiments = cluster === null ? [] : await listExperiments(scope, { clusterId: cluster?.id });
  return (
    <>
      <PageHeader
        title="Experiments"
        description="Every configuration experiment run against a DatadogAgent: who started it, how it ended, and how long it ran."
      />
      <ClusterPicker path="/experiments" clusters={clusters} current={param} />
      <ExperimentsTable initial={experiments} cluster={cluster?.name} />
    </>
  );
}
