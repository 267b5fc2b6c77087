import type { AuditFilters } from "@/lib/audit-filters";

/** A plain GET form: filters live in the URL, so a filtered view can be shared or bookmarked. */
export function AuditFiltersForm({
  filters,
  facets,
}: {
  filters: AuditFilters;
  facets: { actors: string[]; actions: string[] };
}) {
  const input = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <form
      method="get"
      action="/audit"
      className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-4 md:grid-cols-6"
      role="search"
      aria-label="Filter the audit trail"
    >
      <label className="text-xs font-medium text-slate-600">
        Actor
        <input name="actor" list="audit-actors" defaultValue={filters.actor} className={input} />
        <datalist id="audit-actors">
          {facets.actors.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </label>
      <label className="text-xs font-medium text-slate-600">
        Action
        <input
          name="action"
          list="audit-actions"
          defaultValue={filters.action}
          placeholder="command."
          className={input}
        />
        <datalist id="audit-actions">
          {facets.actions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </label>
      <label className="text-xs font-medium text-slate-600">
        Target contains
        <input name="target" defaultValue={filters.target} placeholder="datadog/" className={input} />
      </label>
      <label className="text-xs font-medium text-slate-600">
        From
        <input name="from" type="datetime-local" defaultValue={filters.from} className={input} />
      </label>
      <label className="text-xs font-medium text-slate-600">
        To
        <input name="to" type="datetime-local" defaultValue={filters.to} className={input} />
      </label>
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white">
          Filter
        </button>
        <a href="/audit" className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
          Clear
        </a>
      </div>
    </form>
  );
}
