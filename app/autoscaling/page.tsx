import { SpotSection } from "@/components/autoscaling/spot/spot-section";
import { PageHeader } from "@/components/ui/page-header";
import { Planned } from "@/components/ui/planned";
import { spotOverview } from "@/server/queries/spot";

export default async function AutoscalingPage() {
  const spot = await spotOverview();
  return (
    <>
      <PageHeader title="Autoscaling" description="Spot scheduling and workload autoscalers." />
      <div className="space-y-10">
        <SpotSection initial={spot} />
        <Planned
          items={[
            "The lazy pod-watch gate: closed, or open since when and opened by which autoscaler.",
            "Every DatadogPodAutoscaler with its target, current replicas and conditions, and the cluster profiles.",
          ]}
        />
      </div>
    </>
  );
}
