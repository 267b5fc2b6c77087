"use client";

import Link from "next/link";
import type { ExperimentDto } from "@/server/queries/experiments";
import { OutcomeBadge } from "./experiment-badges";
import { useExperiments } from "./queries";
import { RelativeTime } from "@/components/ui/relative-time";

function duration(seconds: number | null): string {
  if (seconds === null) return "running";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

export function ExperimentsTable({ initial }: { initial: ExperimentDto[] }) {
  const data = useExperiments(initial);
  if (data.length === 0) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
        No experiment yet. Start one from an agent&apos;s page, or send a Remote Config signal to POST
        /api/signals.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Experiments, newest first</caption>
        <thead className="bg-slate-50 text-xs uppercase text-slate-500">
          <tr>
            <th className="px-3 py-2 font-medium">Experiment</th>
            <th className="px-3 py-2 font-medium">Agent</th>
            <th className="px-3 py-2 font-medium">Outcome</th>
            <th className="px-3 py-2 font-medium">Duration</th>
            <th className="px-3 py-2 font-medium">Started by</th>
            <th className="px-3 py-2 font-medium">Baseline → candidate</th>
            <th className="px-3 py-2 font-medium">Requested</th>
          </tr>
        </thead>
        <tbody>
          {data.map((e) => (
            <tr
              key={e.id}
              className="border-t border-slate-100 align-top"
              data-testid="experiment-row"
              data-outcome={e.outcome ?? "running"}
            >
              <td className="px-3 py-2 font-mono text-xs">{e.experimentId}</td>
              <td className="px-3 py-2">
                <Link href={`/agents/${e.agentKey}`} className="text-sky-700 hover:underline">
                  {e.agentKey}
                </Link>
              </td>
              <td className="px-3 py-2">
                <OutcomeBadge outcome={e.outcome} />
                {e.reason && <p className="mt-1 max-w-sm text-xs text-slate-600">{e.reason}</p>}
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{duration(e.durationSeconds)}</td>
              <td className="px-3 py-2">
                {e.actor} <span className="text-xs text-slate-500">({e.source})</span>
                {e.endedBy && <p className="text-xs text-slate-500">ended by {e.endedBy}</p>}
              </td>
              <td className="px-3 py-2 font-mono text-xs">
                {e.baselineRevision} → {e.candidateRevision}
              </td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                <RelativeTime iso={e.requestedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
