import { FleetOverview } from "@/components/fleet/fleet-overview";
import { PageHeader } from "@/components/ui/page-header";
import { fleetOverview } from "@/server/queries/fleet";
import { pageScope } from "@/server/scope/request";

export default async function OverviewPage() {
  const fleet = await fleetOverview(await pageScope());
  return (
    <>
      <PageHeader
        title="Overview"
        description={
          fleet.clusters.length > 1
            ? "Every cluster of the fleet: its controllers, agents, experiments, metadata forwarding, spot fallbacks and autoscaling gate."
            : "The state of the fleetdeck controller and the cluster it manages."
        }
      />
      <FleetOverview initial={fleet} />
    </>
  );
}
