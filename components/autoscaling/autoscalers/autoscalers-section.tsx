"use client";

import type { AutoscalingOverviewDto } from "@/server/queries/autoscaling";
import { Section } from "@/components/ui/section";
import { EmptyState, Table } from "@/components/ui/table";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys, withCluster } from "@/components/live/query-keys";
import { useFleet } from "@/components/fleet/fleet-context";
import { Conditions } from "./conditions";
import { GatePanel } from "./gate-panel";

const td = "px-3 py-2 align-top";
const range = (min: number | null, max: number | null) => `${min ?? "—"} – ${max ?? "—"}`;

/** The "Workload autoscalers" section: each controller's gate, the autoscalers, the profiles. Live. */
export function AutoscalersSection({
  initial,
  cluster,
}: {
  initial: AutoscalingOverviewDto;
  cluster?: string;
}) {
  const data = useLiveData(queryKeys.autoscalers(cluster), withCluster("/api/autoscalers", cluster), initial);
  const { showClusters } = useFleet();
  const clusterColumn = showClusters ? ["Cluster"] : [];
  return (
    <Section
      id="autoscalers"
      title="Workload autoscalers"
      description={
        <>
          The cluster-wide pod watch starts only when the first DatadogPodAutoscaler or cluster profile
          appears. fleetdeck reports each autoscaler&apos;s target, current replicas and Active / Error
          conditions; it computes no scaling recommendation.
        </>
      }
    >
      {data.gates.length === 0 ? (
        <EmptyState>No running controller has reported its gate.</EmptyState>
      ) : (
        data.gates.map((g) => <GatePanel key={`${g.clusterId}/${g.controllerId}`} gate={g} />)
      )}

      <Table
        caption="DatadogPodAutoscalers"
        columns={[
          ...clusterColumn,
          "Autoscaler",
          "Target",
          "Mode",
          "Owner",
          "Min – max",
          "Current replicas",
          "Conditions",
        ]}
      >
        {data.autoscalers.length === 0 ? (
          <tr>
            <td className={`${td} text-slate-600`} colSpan={7 + clusterColumn.length}>
              No DatadogPodAutoscaler. Try{" "}
              <code className="font-mono">kubectl apply -f config/samples/autoscaling</code>.
            </td>
          </tr>
        ) : (
          data.autoscalers.map((a) => (
            <tr
              key={`${a.clusterId}/${a.key}`}
              data-testid="autoscaler"
              data-autoscaler={a.key}
              data-cluster={a.clusterName}
              className="border-t border-slate-100"
            >
              {showClusters && <td className={td}>{a.clusterName}</td>}
              <td className={`${td} font-mono`}>
                {a.key}
                {a.profile && <div className="text-xs text-slate-500">profile {a.profile}</div>}
              </td>
              <td className={td}>
                <span className="text-slate-500">{a.targetKind}</span>{" "}
                <span className="font-mono">{a.targetName}</span>
              </td>
              <td className={td}>{a.mode ?? "—"}</td>
              <td className={td}>{a.owner ?? "—"}</td>
              <td className={td}>{range(a.minReplicas, a.maxReplicas)}</td>
              <td className={td} data-testid="autoscaler-replicas">
                {a.currentReplicas ?? "—"}
              </td>
              <td className={td}>
                <Conditions conditions={a.conditions} />
              </td>
            </tr>
          ))
        )}
      </Table>

      <Table
        caption="Cluster profiles"
        columns={[
          ...clusterColumn,
          "Cluster profile",
          "Mode",
          "Min – max",
          "Autoscalers",
          "Template hash",
          "Conditions",
        ]}
      >
        {data.profiles.length === 0 ? (
          <tr>
            <td className={`${td} text-slate-600`} colSpan={6 + clusterColumn.length}>
              No DatadogPodAutoscalerClusterProfile.
            </td>
          </tr>
        ) : (
          data.profiles.map((p) => (
            <tr
              key={`${p.clusterId}/${p.name}`}
              data-testid="autoscaler-profile"
              data-profile={p.name}
              data-cluster={p.clusterName}
              className="border-t border-slate-100"
            >
              {showClusters && <td className={td}>{p.clusterName}</td>}
              <td className={`${td} font-mono`}>{p.name}</td>
              <td className={td}>{p.mode ?? "—"}</td>
              <td className={td}>{range(p.minReplicas, p.maxReplicas)}</td>
              <td className={td}>{p.controlledAutoscalers ?? "—"}</td>
              <td className={`${td} font-mono text-xs`}>{p.templateHash ?? "—"}</td>
              <td className={td}>
                <Conditions conditions={p.conditions} />
              </td>
            </tr>
          ))
        )}
      </Table>
    </Section>
  );
}
