import { SpotSection } from "@/components/autoscaling/spot/spot-section";
import { AutoscalersSection } from "@/components/autoscaling/autoscalers/autoscalers-section";
import { PageHeader } from "@/components/ui/page-header";
import { autoscalingOverview } from "@/server/queries/autoscaling";
import { spotOverview } from "@/server/queries/spot";
import { requireActor } from "@/server/auth";

export default async function AutoscalingPage() {
  const actor = await requireActor();
  const [spot, autoscalers] = await Promise.all([spotOverview(actor), autoscalingOverview()]);
  return (
    <>
      <PageHeader title="Autoscaling" description="Spot scheduling and workload autoscalers." />
      <div className="space-y-10">
        <SpotSection initial={spot} />
        <AutoscalersSection initial={autoscalers} />
      </div>
    </>
  );
}
