import { ControllerStatus } from "@/components/overview/controller-status";
import { PageHeader } from "@/components/ui/page-header";
import { listControllers } from "@/server/queries/controllers";

export default async function OverviewPage() {
  const controllers = await listControllers();
  return (
    <>
      <PageHeader
        title="Overview"
        description="The state of the fleetdeck controller and the cluster it manages."
      />
      <ControllerStatus initial={controllers} />
    </>
  );
}
