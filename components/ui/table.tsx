import type { ReactNode } from "react";

/**
 * A data table in a white frame that scrolls sideways on narrow screens. `caption` names it
 * for screen readers; `columns` are the header cells; `children` are the body rows.
 */
export function Table({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: ReactNode[];
  children: ReactNode;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-xs uppercase text-slate-500">
          <tr>
            {columns.map((column, i) => (
              <th key={i} className="px-3 py-2 font-medium">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** What a list or table shows while it has nothing: what would appear, and how to get there. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">{children}</p>;
}
