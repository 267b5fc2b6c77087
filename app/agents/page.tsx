import { AgentsTable } from "@/components/agents/agents-table";
import { ClusterPicker } from "@/components/fleet/cluster-picker";
import { PageHeader } from "@/components/ui/page-header";
import { listAgents } from "@/server/queries/agents";
import { listClusters, resolveCluster } from "@/server/queries/clusters";
import { clusterParam } from "@/components/lib/search-params";
import { pageScope } from "@/server/scope/request";

export default async function AgentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const scope = await pageScope();
  const param = clusterParam.parse((await searchParams).cluster);
  const [clusters, cluster] = await Promise.all([listClusters(scope), resolveCluster(scope, param)]);
  const agents = cluster === null ? [] : await listAgents(scope, { clusterId: cluster?.id });
  return (
    <>
      <PageHeader
        title="Agents"
        description={
          clusters.length > 1
            ? "Every DatadogAgent of the fleet: its cluster, whether its agents run, its experiment, its current revision and what last changed it."
            : "Every DatadogAgent in the cluster: whether its agents run, its experiment, its current revision and what last changed it."
        }
      />
      <ClusterPicker path="/agents" clusters={clusters} current={param} />
      <AgentsTable initial={agents} cluster={cluster?.name} />
    </>
  );
}
