import { ExperimentsTable } from "@/components/experiments/experiments-table";
import { PageHeader } from "@/components/ui/page-header";
import { listExperiments } from "@/server/queries/experiments";

export default async function ExperimentsPage() {
  const experiments = await listExperiments();
  return (
    <>
      <PageHeader
        title="Experiments"
        description="Every configuration experiment run against a DatadogAgent: who started it, how it ended, and how long it ran."
      />
      <ExperimentsTable initial={experiments} />
    </>
  );
}
