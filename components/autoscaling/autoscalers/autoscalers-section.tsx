"use client";

import type { AutoscalingOverviewDto } from "@/server/queries/autoscaling";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";
import { Conditions } from "./conditions";
import { GatePanel } from "./gate-panel";

const th = "px-3 py-2 text-left text-xs font-medium text-slate-500";
const td = "px-3 py-2 align-top";
const range = (min: number | null, max: number | null) => `${min ?? "—"} – ${max ?? "—"}`;

/** The "Workload autoscalers" section: each controller's gate, the autoscalers, the profiles. Live. */
export function AutoscalersSection({ initial }: { initial: AutoscalingOverviewDto }) {
  const data = useLiveData(queryKeys.autoscalers, "/api/autoscalers", initial);
  return (
    <section aria-labelledby="autoscalers-heading" className="space-y-4">
      <div>
        <h2 id="autoscalers-heading" className="text-lg font-semibold">
          Workload autoscalers
        </h2>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          The cluster-wide pod watch starts only when the first DatadogPodAutoscaler or cluster profile
          appears. fleetdeck reports each autoscaler&apos;s target, current replicas and Active / Error
          conditions; it computes no scaling recommendation.
        </p>
      </div>
      {data.gates.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
          No running controller has reported its gate.
        </p>
      ) : (
        data.gates.map((g) => <GatePanel key={g.controllerId} gate={g} />)
      )}

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm" aria-label="DatadogPodAutoscalers">
          <thead className="border-b border-slate-100">
            <tr>
              <th className={th}>Autoscaler</th>
              <th className={th}>Target</th>
              <th className={th}>Mode</th>
              <th className={th}>Owner</th>
              <th className={th}>Min – max</th>
              <th className={th}>Current replicas</th>
              <th className={th}>Conditions</th>
            </tr>
          </thead>
          <tbody>
            {data.autoscalers.length === 0 ? (
              <tr>
                <td className={`${td} text-slate-600`} colSpan={7}>
                  No DatadogPodAutoscaler. Try{" "}
                  <code className="font-mono">kubectl apply -f config/samples/autoscaling</code>.
                </td>
              </tr>
            ) : (
              data.autoscalers.map((a) => (
                <tr
                  key={a.key}
                  data-testid="autoscaler"
                  data-autoscaler={a.key}
                  className="border-t border-slate-100"
                >
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
          </tbody>
        </table>
      </div>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm" aria-label="Cluster profiles">
          <thead className="border-b border-slate-100">
            <tr>
              <th className={th}>Cluster profile</th>
              <th className={th}>Mode</th>
              <th className={th}>Min – max</th>
              <th className={th}>Autoscalers</th>
              <th className={th}>Template hash</th>
              <th className={th}>Conditions</th>
            </tr>
          </thead>
          <tbody>
            {data.profiles.length === 0 ? (
              <tr>
                <td className={`${td} text-slate-600`} colSpan={6}>
                  No DatadogPodAutoscalerClusterProfile.
                </td>
              </tr>
            ) : (
              data.profiles.map((p) => (
                <tr
                  key={p.name}
                  data-testid="autoscaler-profile"
                  data-profile={p.name}
                  className="border-t border-slate-100"
                >
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
          </tbody>
        </table>
      </div>
    </section>
  );
}
