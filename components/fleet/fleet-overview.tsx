"use client";

import { clusterControllers } from "@/components/lib/fleet";
import type { FleetDto } from "@/server/queries/fleet";
import { useNow } from "@/components/ui/relative-time";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";
import type { AttentionItem } from "@/components/lib/attention";
import { ClusterCard } from "./cluster-card";
import { NeedsAttention } from "./needs-attention";

/** The fleet page, live: the fleet's totals (with several clusters) and a card per cluster. */
export function FleetOverview({ initial }: { initial: FleetDto }) {
  const data = useLiveData(queryKeys.fleet, "/api/fleet", initial);
  const now = useNow();
  if (data.clusters.length === 0) {
    return (
      <div role="status" className="rounded-md border border-rose-200 bg-rose-50 p-4">
        <p className="font-semibold text-rose-900">Controller not running</p>
        <p className="mt-1 text-sm text-rose-800">
          No controller has reported to this database yet. Start it with{" "}
          <code className="font-mono">npm run controller</code>.
        </p>
      </div>
    );
  }
  const t = data.totals;
  const reports = data.clusters.map((c) => ({ cluster: c, ...clusterControllers(c.controllers, now) }));
  const reporting = reports.filter((r) => r.report === "reporting").length;
  // Whether a controller reports is judged here, against the page's clock (as the cards do).
  const silent = reports
    .filter((r) => r.report === "not-reporting")
    .map(({ cluster, lastHeartbeatAt }): AttentionItem => ({
      kind: "controller-not-reporting",
      clusterId: cluster.id,
      clusterName: cluster.name,
      subject: "",
      detail: lastHeartbeatAt
        ? `no controller heartbeat since ${new Date(lastHeartbeatAt).toLocaleString()}`
        : "no controller heartbeat",
    }));
  return (
    <div className="space-y-6">
      <NeedsAttention items={[...silent, ...data.attention]} showClusters={data.clusters.length > 1} />
      {data.clusters.length > 1 && (
        <dl
          aria-label="Fleet totals"
          className="grid grid-cols-2 gap-4 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3 lg:grid-cols-6"
        >
          <Total label="Clusters" value={t.clusters} testId="total-clusters" />
          <Total label="Reporting" value={`${reporting} of ${t.clusters}`} testId="total-reporting" />
          <Total label="Agents" value={t.agents} testId="total-agents" />
          <Total label="Running experiments" value={t.runningExperiments} testId="total-experiments" />
          <Total label="Spot fallbacks" value={t.spotFallbacks} testId="total-fallbacks" />
          <Total label="Autoscaling gates open" value={t.openGates} testId="total-gates" />
        </dl>
      )}
      {data.clusters.map((cluster) => (
        <ClusterCard key={cluster.id} cluster={cluster} />
      ))}
    </div>
  );
}

function Total({ label, value, testId }: { label: string; value: number | string; testId: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-xl font-semibold text-slate-900" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
