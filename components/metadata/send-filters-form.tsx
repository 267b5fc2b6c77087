import { FORWARDERS, METADATA_KINDS, SEND_REASONS, SEND_STATUSES } from "@/lib/metadata";
import type { MetadataFilters } from "@/lib/metadata-filters";

/** A plain GET form: filters live in the URL, so a filtered view can be shared. */
export function SendFiltersForm({ filters }: { filters: MetadataFilters }) {
  const input = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";
  const select = (name: keyof MetadataFilters, label: string, options: readonly string[]) => (
    <label className="text-xs font-medium text-slate-600">
      {label}
      <select name={name} defaultValue={filters[name] ?? ""} className={input}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form
      method="get"
      action="/metadata"
      role="search"
      aria-label="Filter the send log"
      className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-4 md:grid-cols-6"
    >
      {select("forwarder", "Forwarder", FORWARDERS)}
      {select("kind", "Kind", METADATA_KINDS)}
      <label className="text-xs font-medium text-slate-600">
        Object contains
        <input name="object" defaultValue={filters.object} placeholder="datadog/" className={input} />
      </label>
      {select("status", "Status", SEND_STATUSES)}
      {select("reason", "Reason", SEND_REASONS)}
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white">
          Filter
        </button>
        <a href="/metadata" className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
          Clear
        </a>
      </div>
    </form>
  );
}
