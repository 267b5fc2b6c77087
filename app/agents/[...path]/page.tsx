import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { AgentView } from "@/components/agents/agent-view";
import { agentPagePath } from "@/components/agents/paths";
import { PageHeader } from "@/components/ui/page-header";
import { clustersWithAgent, getAgent } from "@/server/queries/agents";
import { clusterNames, resolveCluster } from "@/server/queries/clusters";
import { listRevisions } from "@/server/queries/revisions";
import { listExperiments } from "@/server/queries/experiments";
import { pageScope } from "@/server/scope/request";

/**
 * /agents/<cluster>/<namespace>/<name>: one agent of one cluster. The address of before the
 * fleet, /agents/<namespace>/<name>, leads to it while one cluster has an agent of that name.
 */
export default async function AgentPage({ params }: { params: Promise<{ path: string[] }> }) {
  const scope = await pageScope();
  const path = (await params).path.map(decodeURIComponent);
  if (path.length === 2) {
    const key = path.join("/");
    const [clusters, names] = await Promise.all([clustersWithAgent(scope, key), clusterNames(scope)]);
    if (clusters.length === 0) notFound();
    if (clusters.length === 1) redirect(agentPagePath(names.get(clusters[0]!) ?? clusters[0]!, key));
    return <ChooseCluster agentKey={key} clusters={clusters.map((id) => names.get(id) ?? id)} />;
  }
  if (path.length !== 3) notFound();
  const [clusterName, namespace, name] = path as [string, string, string];
  const cluster = await resolveCluster(scope, clusterName);
  if (!cluster) notFound();
  const key = `${namespace}/${name}`;
  const [agent, revisions, experiments] = await Promise.all([
    getAgent(scope, cluster.id, key),
    listRevisions(scope, cluster.id, key),
    listExperiments(scope, { clusterId: cluster.id, agentKey: key }),
  ]);
  if (!agent) notFound();
  return (
    <>
      <PageHeader
        title={agent.name}
        description={
          <>
            DatadogAgent in namespace <span className="font-mono">{agent.namespace}</span> of cluster{" "}
            <span className="font-mono" data-testid="agent-cluster">
              {cluster.name}
            </span>{" "}
            ·{" "}
            <Link href="/agents" className="text-sky-700 hover:underline">
              all agents
            </Link>
          </>
        }
      />
      <AgentView initial={{ agent, revisions, experiments }} />
    </>
  );
}

function ChooseCluster({ agentKey, clusters }: { agentKey: string; clusters: string[] }) {
  return (
    <>
      <PageHeader
        title={agentKey}
        description="Several clusters have a DatadogAgent of this name: pick one."
      />
      <ul className="space-y-2">
        {clusters.map((name) => (
          <li key={name}>
            <Link href={agentPagePath(name, agentKey)} className="text-sky-700 hover:underline">
              {agentKey} in {name}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
