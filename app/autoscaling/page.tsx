import { PageHeader } from "@/components/ui/page-header";
import { Planned } from "@/components/ui/planned";

export default function AutoscalingPage() {
  return (
    <>
      <PageHeader title="Autoscaling" description="Spot scheduling and workload autoscalers." />
      <Planned
        items={[
          "Spot workloads: target and actual spot / on-demand split, pending spot pods, fallback windows and their events.",
          "The lazy pod-watch gate: closed, or open since when and opened by which autoscaler.",
          "Every DatadogPodAutoscaler with its target, current replicas and conditions, and the cluster profiles.",
        ]}
      />
    </>
  );
}
