import { AgentsTable } from "@/components/agents/agents-table";
import { PageHeader } from "@/components/ui/page-header";
import { listAgents } from "@/server/queries/agents";

export default async function AgentsPage() {
  const agents = await listAgents();
  return (
    <>
      <PageHeader
        title="Agents"
        description="Every DatadogAgent in the cluster: whether its agents run, its experiment, its current revision and what last changed it."
      />
      <AgentsTable initial={agents} />
    </>
  );
}
