import Link from "next/link";
import { notFound } from "next/navigation";
import { AgentView } from "@/components/agents/agent-view";
import { PageHeader } from "@/components/ui/page-header";
import { requireActor } from "@/server/auth";
import { getAgent } from "@/server/queries/agents";
import { listRevisions } from "@/server/queries/revisions";
import { listExperiments } from "@/server/queries/experiments";

export default async function AgentPage({
  params,
}: {
  params: Promise<{ namespace: string; name: string }>;
}) {
  const { namespace, name } = await params;
  const key = `${decodeURIComponent(namespace)}/${decodeURIComponent(name)}`;
  const actor = await requireActor();
  const [agent, revisions, experiments] = await Promise.all([
    getAgent(key, actor),
    listRevisions(key),
    listExperiments(key),
  ]);
  if (!agent) notFound();
  return (
    <>
      <PageHeader
        title={agent.name}
        description={
          <>
            DatadogAgent in namespace <span className="font-mono">{agent.namespace}</span> ·{" "}
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
