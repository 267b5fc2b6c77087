"use client";

import { SPOT_ENABLED_LABEL } from "@/lib/spot";
import type { SpotOverviewDto } from "@/server/queries/spot";
import { queryKeys, withCluster } from "@/components/live/query-keys";
import { useLiveData } from "@/components/live/use-live-data";
import { Section } from "@/components/ui/section";
import { EmptyState } from "@/components/ui/table";
import { SpotWorkloadCard } from "./spot-workload-card";

/** The "Spot scheduling" section of the autoscaling page: one card per spot workload, live. */
export function SpotSection({ initial, cluster }: { initial: SpotOverviewDto; cluster?: string }) {
  const data = useLiveData(queryKeys.spot(cluster), withCluster("/api/spot", cluster), initial);
  return (
    <Section
      id="spot"
      title="Spot scheduling"
      description={
        <>
          Each opted-in workload&apos;s pods are placed on spot or on-demand nodes at its target split; pods
          stuck Pending on spot trigger an on-demand fallback, and the rebalancer moves pods back once spot is
          available.
        </>
      }
    >
      {data.workloads.length === 0 ? (
        <EmptyState>
          No spot workloads. Label a Deployment or StatefulSet{" "}
          <code className="font-mono">{SPOT_ENABLED_LABEL}=true</code> and run the controller with{" "}
          <code className="font-mono">DD_AUTOSCALING_CLUSTER_SPOT_ENABLED=true</code>.
        </EmptyState>
      ) : (
        data.workloads.map((w) => <SpotWorkloadCard key={`${w.clusterId}/${w.key}`} workload={w} />)
      )}
    </Section>
  );
}
