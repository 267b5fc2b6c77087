"use client";

import type { LeftOutReason } from "@/lib/fleet-experiments";
import type { PlanPreviewDto } from "@/server/queries/fleet-experiments";
import { SpecDiff } from "@/components/revisions/spec-diff";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";

const LEFT_OUT: Record<LeftOutReason, string> = {
  "no-matching-agent": "no matching DatadogAgent",
  "not-reporting": "controller not reporting",
  "experiment-running": "an experiment is running",
  "not-allowed": "you may not change its agents",
  "in-fleet-experiment": "in another fleet experiment",
  "no-change": "the change changes nothing",
  "no-wave": "no wave selects it",
};

/**
 * The plan as it would start now: per wave its clusters, their DatadogAgents, the nodes they
 * cover and the agent pods that change, each agent's diff; the clusters left out and why.
 */
export function PlanPreview({ preview }: { preview: PlanPreviewDto }) {
  const { plan } = preview;
  const diffOf = (clusterId: string, agentKey: string) =>
    preview.diffs.find((d) => d.clusterId === clusterId && d.agentKey === agentKey);
  return (
    <div className="space-y-4" data-testid="plan-preview" data-ok={preview.ok}>
      {preview.problems.length > 0 && (
        <div role="alert" className="rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800">
          <p className="font-semibold">This plan cannot start:</p>
          <ul className="mt-1 list-disc pl-5" data-testid="plan-problems">
            {preview.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {plan.waves.map((wave, i) => {
        const nodes = wave.clusters.reduce((n, c) => n + c.agents.reduce((m, a) => m + a.nodes, 0), 0);
        const pods = wave.clusters.reduce((n, c) => n + c.agents.reduce((m, a) => m + a.pods, 0), 0);
        return (
          <Card
            key={i}
            title={
              <span className="flex flex-wrap items-center gap-2" data-testid="plan-wave" data-wave={i + 1}>
                Wave {i + 1}
                <span className="text-xs font-normal text-slate-500">
                  {wave.clusters.length} cluster{wave.clusters.length === 1 ? "" : "s"}, {nodes} nodes
                  covered, {pods} agent pods change · at most {wave.maxConcurrent} at once · bake{" "}
                  {wave.bakeSeconds} s ·{" "}
                  {i === 0
                    ? "starts on confirmation"
                    : wave.approval === "manual"
                      ? "starts on approval"
                      : "starts by itself"}
                </span>
              </span>
            }
          >
            <ul className="space-y-3">
              {wave.clusters.map((c) => (
                <li
                  key={c.clusterId}
                  data-testid="plan-cluster"
                  data-cluster={c.clusterName}
                  data-wave={i + 1}
                >
                  <p className="text-sm font-medium text-slate-800">{c.clusterName}</p>
                  {c.agents.map((a) => {
                    const diff = diffOf(c.clusterId, a.key);
                    return (
                      <details key={a.key} className="mt-1 rounded-md border border-slate-100 p-2 text-sm">
                        <summary className="cursor-pointer">
                          <span className="font-mono">{a.key}</span>{" "}
                          <span className="text-xs text-slate-500">
                            at {a.currentRevision ?? "?"} · {a.nodes} nodes · {a.pods} pods change
                          </span>
                        </summary>
                        {diff && (
                          <div className="mt-2">
                            <SpecDiff
                              from={diff.current}
                              to={diff.candidate}
                              fromLabel={`${c.clusterName}: current spec`}
                              toLabel="candidate"
                            />
                          </div>
                        )}
                      </details>
                    );
                  })}
                </li>
              ))}
            </ul>
          </Card>
        );
      })}
      <Card title="Clusters left out">
        {plan.leftOut.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="left-out-none">
            None: every cluster of the fleet takes part.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Clusters left out">
            {plan.leftOut.map((l) => (
              <li
                key={l.clusterId}
                className="flex flex-wrap items-baseline gap-x-3 py-2 text-sm"
                data-testid="left-out"
                data-cluster={l.clusterName}
                data-reason={l.reason}
              >
                <span className="font-medium">{l.clusterName}</span>
                <Badge tone="warn">{LEFT_OUT[l.reason]}</Badge>
                <span className="text-slate-700">{l.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
