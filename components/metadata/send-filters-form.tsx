import { FORWARDERS, METADATA_KINDS, SEND_REASONS, SEND_STATUSES } from "@/lib/metadata";
import type { MetadataFilters } from "@/components/lib/metadata-filters";
import { FilterField, FilterForm, filterInput } from "@/components/ui/filter-form";

/** Filters of the send log. */
export function SendFiltersForm({ filters }: { filters: MetadataFilters }) {
  const select = (name: keyof MetadataFilters, label: string, options: readonly string[]) => (
    <FilterField label={label}>
      <select name={name} defaultValue={filters[name] ?? ""} className={filterInput}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </FilterField>
  );
  return (
    <FilterForm action="/metadata" label="Filter the send log">
      {filters.cluster && <input type="hidden" name="cluster" value={filters.cluster} />}
      {select("forwarder", "Forwarder", FORWARDERS)}
      {select("kind", "Kind", METADATA_KINDS)}
      <FilterField label="Object contains">
        <input name="object" defaultValue={filters.object} placeholder="datadog/" className={filterInput} />
      </FilterField>
      {select("status", "Status", SEND_STATUSES)}
      {select("reason", "Reason", SEND_REASONS)}
    </FilterForm>
  );
}
