"use client";

import { SPOT_ENABLED_LABEL } from "@/lib/spot";
import type { SpotOverviewDto } from "@/server/queries/spot";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";
import { SpotWorkloadCard } from "./spot-workload-card";

/** The "Spot scheduling" section of the autoscaling page: one card per spot workload, live. */
export function SpotSection({ initial }: { initial: SpotOverviewDto }) {
  const data = useLiveData(queryKeys.spot, "/api/spot", initial);
  return (
    <section aria-labelledby="spot-heading" className="space-y-4">
      <div>
        <h2 id="spot-heading" className="text-lg font-semibold">
          Spot scheduling
        </h2>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Each opted-in workload&apos;s pods are placed on spot or on-demand nodes at its target split; pods
          stuck Pending on spot trigger an on-demand fallback, and the rebalancer moves pods back once spot is
          available.
        </p>
      </div>
      {data.workloads.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
          No spot workloads. Label a Deployment or StatefulSet{" "}
          <code className="font-mono">{SPOT_ENABLED_LABEL}=true</code> and run the controller with{" "}
          <code className="font-mono">DD_AUTOSCALING_CLUSTER_SPOT_ENABLED=true</code>.
        </p>
      ) : (
        data.workloads.map((w) => <SpotWorkloadCard key={w.key} workload={w} />)
      )}
    </section>
  );
}
