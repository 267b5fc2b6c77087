"use client";

import Link from "next/link";
import type { TargetState } from "@/lib/fleet-experiments";
import type { FleetExperimentSummaryDto } from "@/server/queries/fleet-experiments";
import { queryKeys } from "@/components/live/query-keys";
import { useLiveData } from "@/components/live/use-live-data";
import { EmptyState, Table } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/relative-time";
import { FleetPhaseBadge } from "./badges";
import { fleetExperimentPath } from "./paths";

/** "2 passed, 1 running": the states of its DatadogAgents, in the order they happen. */
const ORDER: TargetState[] = [
  "passed",
  "baking",
  "running",
  "waiting",
  "failed",
  "restoring",
  "unreachable",
  "restored",
  "restore-failed",
  "not-reached",
];

export function FleetExperimentsTable({ initial }: { initial: FleetExperimentSummaryDto[] }) {
  const data = useLiveData(queryKeys.fleetExperiments, "/api/fleet-experiments", initial);
  if (data.length === 0) {
    return (
      <EmptyState>
        No fleet experiment yet. Start one to roll a change across clusters in waves: each cluster runs an
        ordinary experiment under its health gate, and the first sign of trouble puts every cluster back.
      </EmptyState>
    );
  }
  return (
    <Table
      caption="Fleet experiments, newest first"
      columns={["Name", "Phase", "Wave", "Clusters", "Started by", "Started"]}
    >
      {data.map((f) => (
        <tr
          key={f.name}
          className="border-t border-slate-100 align-top"
          data-testid="fleet-experiment-row"
          data-name={f.name}
        >
          <td className="px-3 py-2">
            <Link href={fleetExperimentPath(f.name)} className="font-mono text-sky-700 hover:underline">
              {f.name}
            </Link>
          </td>
          <td className="px-3 py-2">
            <FleetPhaseBadge phase={f.phase} />
            {f.haltCause && <p className="mt-1 max-w-md text-xs text-slate-600">{f.haltCause}</p>}
          </td>
          <td className="px-3 py-2 whitespace-nowrap">
            {f.wave} of {f.waves}
          </td>
          <td className="px-3 py-2 text-xs text-slate-700">
            {f.clusters} ·{" "}
            {ORDER.filter((s) => f.states[s])
              .map((s) => `${f.states[s]} ${s}`)
              .join(", ")}
          </td>
          <td className="px-3 py-2">{f.actor}</td>
          <td className="px-3 py-2 whitespace-nowrap text-slate-600">
            <RelativeTime iso={f.createdAt} />
          </td>
        </tr>
      ))}
    </Table>
  );
}
