"use client";

import { filtersToSearch } from "@/components/lib/search-params";
import type { MetadataFilters } from "@/components/lib/metadata-filters";
import type { SendRowDto, SendsPage } from "@/server/queries/metadata";
import { EmptyState, Table } from "@/components/ui/table";
import { queryKeys } from "@/components/live/query-keys";
import { Badge, type Tone } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { useLiveData } from "@/components/live/use-live-data";
import { useFleet } from "@/components/fleet/fleet-context";

const STATUS_TONE: Record<string, Tone> = { sent: "good", failed: "bad", skipped: "warn" };

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

/** The send log, newest first; the newest page follows the live stream. Selecting a row opens its payload. */
export function SendTable({
  filters,
  cursor,
  initial,
  selectedId,
  onSelect,
}: {
  filters: MetadataFilters;
  cursor: number | null;
  initial: SendsPage;
  selectedId: number | null;
  onSelect: (id: number) => void;
}) {
  const key = { ...filters, cursor: cursor === null ? "" : String(cursor) } as Record<string, string>;
  const data = useLiveData(
    queryKeys.metadataSends(key),
    `/api/metadata/sends${filtersToSearch(filters, cursor === null ? {} : { cursor: String(cursor) })}`,
    initial,
    cursor === null,
  );
  const { showClusters } = useFleet();
  if (data.rows.length === 0) {
    return <EmptyState>No sends match these filters.</EmptyState>;
  }
  return (
    <Table
      caption="Metadata send attempts, newest first"
      columns={[
        "When",
        ...(showClusters ? ["Cluster"] : []),
        "Forwarder",
        "Object",
        "Reason",
        "Status",
        "Attempt",
        "Size",
        "Latency",
        "Error",
      ]}
    >
      {data.rows.map((row) => (
        <Row
          key={row.id}
          row={row}
          showCluster={showClusters}
          selected={row.id === selectedId}
          onSelect={onSelect}
        />
      ))}
    </Table>
  );
}

function Row({
  row,
  showCluster,
  selected,
  onSelect,
}: {
  row: SendRowDto;
  showCluster: boolean;
  selected: boolean;
  onSelect: (id: number) => void;
}) {
  return (
    <tr
      data-testid="send-row"
      data-object={row.object}
      data-cluster={row.clusterName}
      aria-selected={selected}
      className={`border-t border-slate-100 align-top hover:bg-slate-50 ${selected ? "bg-sky-50" : ""}`}
    >
      <td className="whitespace-nowrap px-3 py-2 text-slate-600">
        <RelativeTime iso={row.at} />
      </td>
      {showCluster && <td className="px-3 py-2 text-slate-700">{row.clusterName}</td>}
      <td className="px-3 py-2">{row.forwarder}</td>
      <td className="px-3 py-2">
        <span className="text-slate-500">{row.kind}</span>{" "}
        <button
          type="button"
          className="font-mono text-xs text-sky-700 hover:underline"
          onClick={() => onSelect(row.id)}
        >
          {row.object}
        </button>
        {row.revision !== null && <span className="ml-1 text-xs text-slate-400">rev {row.revision}</span>}
      </td>
      <td className="px-3 py-2">{row.reason}</td>
      <td className="px-3 py-2">
        <Badge tone={STATUS_TONE[row.status] ?? "neutral"}>
          {row.status}
          {row.httpStatus !== null && ` ${row.httpStatus}`}
        </Badge>
      </td>
      <td className="px-3 py-2">{row.attempt}</td>
      <td className="whitespace-nowrap px-3 py-2">{row.sizeBytes > 0 ? formatBytes(row.sizeBytes) : "—"}</td>
      <td className="whitespace-nowrap px-3 py-2">
        {row.latencyMs !== null ? `${row.latencyMs.toFixed(1)} ms` : "—"}
      </td>
      <td className="max-w-xs truncate px-3 py-2 text-rose-800" title={row.error ?? undefined}>
        {row.error}
      </td>
    </tr>
  );
}
