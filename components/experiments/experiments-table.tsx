"use client";

import Link from "next/link";
import { END_REASONS, type EndReason } from "@/lib/agents";
import type { ExperimentDto } from "@/server/queries/experiments";
import { EmptyState, Table } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/relative-time";
import { agentPagePath } from "@/components/agents/paths";
import { useFleet } from "@/components/fleet/fleet-context";
import { OutcomeBadge } from "./experiment-badges";
import { useExperiments } from "./queries";

function duration(seconds: number | null): string {
  if (seconds === null) return "running";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** What the operator's status says of an ended experiment: its phase and terminationReason. */
function operatorPhase(e: ExperimentDto): string {
  const end =
    e.endReason && Object.hasOwn(END_REASONS, e.endReason) ? END_REASONS[e.endReason as EndReason] : null;
  if (!end) return e.phase;
  return "terminationReason" in end ? `${end.phase} (${end.terminationReason})` : end.phase;
}

export function ExperimentsTable({ initial, cluster }: { initial: ExperimentDto[]; cluster?: string }) {
  const data = useExperiments(initial, { cluster });
  const { showClusters } = useFleet();
  if (data.length === 0) {
    return (
      <EmptyState>
        No experiment yet. Start one from an agent&apos;s page, or send a Remote Config signal to POST
        /api/signals.
      </EmptyState>
    );
  }
  return (
    <Table
      caption="Experiments, newest first"
      columns={[
        ...(showClusters ? ["Cluster"] : []),
        "Experiment",
        "Agent",
        "Outcome",
        "Duration",
        "Started by",
        "Baseline → candidate",
        "Requested",
      ]}
    >
      {data.map((e) => (
        <tr
          key={e.id}
          className="border-t border-slate-100 align-top"
          data-testid="experiment-row"
          data-outcome={e.outcome ?? "running"}
          data-cluster={e.clusterName}
        >
          {showClusters && <td className="px-3 py-2 text-slate-700">{e.clusterName}</td>}
          <td className="px-3 py-2 font-mono text-xs">{e.experimentId}</td>
          <td className="px-3 py-2">
            <Link href={agentPagePath(e.clusterName, e.agentKey)} className="text-sky-700 hover:underline">
              {e.agentKey}
            </Link>
          </td>
          <td className="px-3 py-2">
            <OutcomeBadge outcome={e.outcome} />
            {e.outcome && (
              <p
                className="mt-1 text-xs text-slate-500"
                data-testid="experiment-phase"
                data-end={e.endReason}
              >
                status.experiment: {operatorPhase(e)}
              </p>
            )}
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
    </Table>
  );
}
