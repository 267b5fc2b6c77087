"use client";

import type { AgentRollout, PodProblem, WorkloadRollout } from "@/lib/rollout";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, Table } from "@/components/ui/table";
import { RolloutStateBadge, shortRevision } from "./rollout-badges";
import type { RolloutState } from "@/lib/rollout";

/** What runs: node coverage, a bar per revision of each workload, and every pod that is not ready. */
export function RolloutPanel({
  rollout,
  state,
  updatedAt,
}: {
  rollout: AgentRollout | null;
  state: RolloutState;
  updatedAt: string | null;
}) {
  if (!rollout) {
    return (
      <Card title="Rollout">
        <EmptyState>
          The controller has not reported this agent&apos;s DaemonSet and Deployment yet: they appear here
          once it has applied them.
        </EmptyState>
      </Card>
    );
  }
  const { coverage } = rollout;
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          Rollout <RolloutStateBadge state={state} />
        </span>
      }
      actions={
        updatedAt && (
          <span className="text-xs text-slate-500">
            observed <RelativeTime iso={updatedAt} />
          </span>
        )
      }
    >
      <div className="space-y-5" data-testid="rollout-panel">
        <div data-testid="coverage">
          <p className={`text-sm ${coverage.covered < coverage.nodes ? "text-amber-800" : "text-slate-700"}`}>
            Runs on <strong>{coverage.covered}</strong> of <strong>{coverage.nodes}</strong> nodes
          </p>
          {coverage.uncovered.length > 0 && (
            <ul className="mt-1 space-y-0.5 text-sm" aria-label="nodes without a ready agent">
              {coverage.uncovered.map((u) => (
                <li key={u.node} data-testid="uncovered-node">
                  <span className="font-mono">{u.node}</span>:{" "}
                  <span className="text-slate-600">{u.reason}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        {[rollout.daemonSet, rollout.deployment].map((w) => (
          <WorkloadBars key={w.kind} workload={w} />
        ))}
        <ProblemPods problems={rollout.problems} />
      </div>
    </Card>
  );
}

function WorkloadBars({ workload: w }: { workload: WorkloadRollout }) {
  if (!w.exists) {
    return (
      <p className="text-sm text-slate-500">
        {w.kind} <span className="font-mono">{w.name}</span>: not created yet
      </p>
    );
  }
  const scale = Math.max(
    w.desired,
    w.revisions.reduce((n, r) => n + r.pods, 0),
    1,
  );
  return (
    <div data-testid="workload-rollout" data-kind={w.kind}>
      <div className="mb-1 flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span>
          {w.kind} <span className="font-mono">{w.name}</span>
        </span>
        <span className="tabular-nums text-slate-600">
          desired {w.desired} · updated {w.updated} · ready {w.ready} · available {w.available}
          {w.unavailable > 0 && <span className="text-rose-700"> · unavailable {w.unavailable}</span>}
          {w.observedGeneration < w.generation && (
            <span className="text-sky-700"> · generation {w.generation} not observed yet</span>
          )}
        </span>
      </div>
      <ul className="space-y-1">
        {w.revisions.map((r) => (
          <li
            key={r.hash}
            className="grid grid-cols-[11rem_1fr_auto] items-center gap-2 text-xs"
            data-testid="revision-bar"
          >
            <span className="font-mono" title={r.revision ?? r.hash}>
              {shortRevision(r.revision, r.hash)}
              {r.current && <span className="ml-1 text-slate-500">(template)</span>}
            </span>
            <span
              className="flex h-3 overflow-hidden rounded bg-slate-100"
              role="img"
              aria-label={`${r.pods} pods, ${r.ready} ready`}
            >
              <span className="bg-emerald-500" style={{ width: `${(r.ready / scale) * 100}%` }} />
              <span className="bg-rose-400" style={{ width: `${((r.pods - r.ready) / scale) * 100}%` }} />
            </span>
            <span className="tabular-nums text-slate-600">
              {r.pods} pod{r.pods === 1 ? "" : "s"}, {r.ready} ready
            </span>
          </li>
        ))}
        {w.revisions.length === 0 && <li className="text-xs text-slate-500">no pods</li>}
      </ul>
    </div>
  );
}

function ProblemPods({ problems }: { problems: PodProblem[] }) {
  if (problems.length === 0) return <p className="text-sm text-emerald-800">Every pod is ready.</p>;
  return (
    <Table
      caption="Pods that are not ready"
      columns={["Pod", "Node", "Reason", "Restarts", "Unavailable since"]}
    >
      {problems.map((p) => (
        <tr
          key={p.name}
          className="border-t border-slate-100 align-top"
          data-testid="failing-pod"
          data-pod={p.name}
        >
          <td className="px-3 py-2">
            <span className="font-mono text-xs">{p.name}</span>
            <div className="text-xs text-slate-500">
              {p.workload} · revision {p.revisionHash ?? "?"}
            </div>
          </td>
          <td className="px-3 py-2 font-mono text-xs">{p.node ?? "—"}</td>
          <td className="px-3 py-2">
            <span className="font-medium text-rose-800" data-testid="failing-reason">
              {p.reason}
            </span>
            {p.lastTermination && (
              <span className="ml-1 text-xs text-slate-600">last exit: {p.lastTermination}</span>
            )}
            {p.message && <div className="text-xs text-slate-600">{p.message}</div>}
          </td>
          <td className="px-3 py-2 tabular-nums">{p.restarts}</td>
          <td className="px-3 py-2 text-xs">
            <RelativeTime iso={p.unavailableSince} />
          </td>
        </tr>
      ))}
    </Table>
  );
}
