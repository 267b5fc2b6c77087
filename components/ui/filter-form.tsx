import type { ReactNode } from "react";

/** The look of a filter form's inputs and selects. */
export const filterInput =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/**
 * A plain GET form to `action`: the filters live in the URL, so a filtered view can be shared
 * or bookmarked; Clear goes back to the unfiltered page.
 */
export function FilterForm({
  action,
  label,
  children,
}: {
  action: string;
  label: string;
  children: ReactNode;
}) {
  return (
    <form
      method="get"
      action={action}
      role="search"
      aria-label={label}
      className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-4 md:grid-cols-6"
    >
      {children}
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white">
          Filter
        </button>
        <a href={action} className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
          Clear
        </a>
      </div>
    </form>
  );
}

/** One labelled filter: the label names the input for assistive technology. */
export function FilterField({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="text-xs font-medium text-slate-600">
      {label}
      {children}
    </label>
  );
}
