import { FleetExperimentForm } from "@/components/fleet-experiments/fleet-experiment-form";
import { PageHeader } from "@/components/ui/page-header";
import { listClusterLabels } from "@/server/queries/clusters";
import { pageScope } from "@/server/scope/request";

export const dynamic = "force-dynamic";

export default async function NewFleetExperimentPage() {
  const clusters = await listClusterLabels(await pageScope());
  return (
    <>
      <PageHeader
        title="New fleet experiment"
        description="Write the change, choose the DatadogAgents and the waves, preview the plan: nothing starts until you confirm it."
      />
      <FleetExperimentForm clusters={clusters} />
    </>
  );
}
