"use client";

import type { AuditFilters } from "@/components/lib/audit-filters";
import { filtersToSearch } from "@/components/lib/search-params";
import type { AuditPage } from "@/server/queries/audit";
import { EmptyState, Table } from "@/components/ui/table";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";
import { RelativeTime } from "@/components/ui/relative-time";
import { useFleet } from "@/components/fleet/fleet-context";
import { detailFields } from "./audit-details";

/** An audit row's details: labelled fields, the raw JSON behind a toggle. */
function Details({ details }: { details: Record<string, unknown> }) {
  const fields = detailFields(details);
  if (fields.length === 0) return null;
  return (
    <>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs" data-testid="audit-details">
        {fields.map((field) => (
          <div key={field.label} className="contents">
            <dt className="text-slate-500">{field.label}</dt>
            <dd className="break-words text-slate-800">{field.value}</dd>
          </div>
        ))}
      </dl>
      <details className="mt-1 text-xs">
        <summary className="cursor-pointer text-slate-500">Raw JSON</summary>
        <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2">{JSON.stringify(details, null, 2)}</pre>
      </details>
    </>
  );
}

/** The newest page follows the live stream; older pages are fixed. */
export function AuditTable({
  filters,
  cursor,
  initial,
}: {
  filters: AuditFilters;
  cursor: number | null;
  initial: AuditPage;
}) {
  const key = { ...filters, cursor: cursor === null ? "" : String(cursor) } as Record<string, string>;
  const data = useLiveData(
    queryKeys.audit(key),
    `/api/audit${filtersToSearch(filters, cursor === null ? {} : { cursor: String(cursor) })}`,
    initial,
    cursor === null,
  );
  const { showClusters } = useFleet();
  if (data.rows.length === 0) {
    return <EmptyState>No audit entries match these filters.</EmptyState>;
  }
  return (
    <Table
      caption="Audit trail, newest first"
      columns={["When", ...(showClusters ? ["Cluster"] : []), "Actor", "Action", "Target", "Details"]}
    >
      {data.rows.map((row) => (
        <tr
          key={row.id}
          className="border-t border-slate-100 align-top"
          data-testid="audit-row"
          data-cluster={row.clusterName ?? ""}
        >
          <td className="whitespace-nowrap px-3 py-2 text-slate-600">
            <RelativeTime iso={row.at} />
          </td>
          {showClusters && <td className="px-3 py-2 text-slate-700">{row.clusterName ?? "—"}</td>}
          <td className="px-3 py-2 font-medium">{row.actor}</td>
          <td className="px-3 py-2 font-mono text-xs">{row.action}</td>
          <td className="px-3 py-2">
            <span className="text-slate-500">{row.targetKind}</span>{" "}
            <span className="font-mono text-xs">{row.target}</span>
            {row.commandId !== null && <span className="ml-1 text-xs text-slate-400">#{row.commandId}</span>}
          </td>
          <td className="max-w-md px-3 py-2 text-slate-700">
            <Details details={row.details} />
          </td>
        </tr>
      ))}
    </Table>
  );
}
