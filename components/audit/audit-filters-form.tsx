import type { AuditFilters } from "@/components/lib/audit-filters";
import { FilterField, FilterForm, filterInput } from "@/components/ui/filter-form";

/** Filters of the audit trail, with the actors and actions seen so far as suggestions. */
export function AuditFiltersForm({
  filters,
  facets,
}: {
  filters: AuditFilters;
  facets: { actors: string[]; actions: string[] };
}) {
  return (
    <FilterForm action="/audit" label="Filter the audit trail">
      {filters.cluster && <input type="hidden" name="cluster" value={filters.cluster} />}
      <FilterField label="Actor">
        <input name="actor" list="audit-actors" defaultValue={filters.actor} className={filterInput} />
        <Suggestions id="audit-actors" values={facets.actors} />
      </FilterField>
      <FilterField label="Action">
        <input
          name="action"
          list="audit-actions"
          defaultValue={filters.action}
          placeholder="command."
          className={filterInput}
        />
        <Suggestions id="audit-actions" values={facets.actions} />
      </FilterField>
      <FilterField label="Target contains">
        <input name="target" defaultValue={filters.target} placeholder="datadog/" className={filterInput} />
      </FilterField>
      <FilterField label="From">
        <input name="from" type="datetime-local" defaultValue={filters.from} className={filterInput} />
      </FilterField>
      <FilterField label="To">
        <input name="to" type="datetime-local" defaultValue={filters.to} className={filterInput} />
      </FilterField>
    </FilterForm>
  );
}

function Suggestions({ id, values }: { id: string; values: string[] }) {
  return (
    <datalist id={id}>
      {values.map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
}
