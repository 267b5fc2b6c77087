import { filtersToSearch } from "@/components/lib/search-params";

/**
 * "All clusters · east · west": the page's cluster filter, kept in the URL (?cluster=<name>)
 * with the page's other filters. Not shown while the fleet has one cluster.
 */
export function ClusterPicker({
  path,
  clusters,
  current,
  params = {},
}: {
  path: string;
  clusters: { id: string; name: string }[];
  /** The cluster filtered on (its name), or undefined for all. */
  current: string | undefined;
  /** The page's other filters, kept by the links (a cursor is not: a new filter starts at the newest). */
  params?: Record<string, string | undefined>;
}) {
  if (clusters.length <= 1 && !current) return null;
  const { cursor: _cursor, cluster: _cluster, ...rest } = params;
  const link = (name: string | undefined, label: string) => {
    const active = name === current;
    return (
      <a
        key={label}
        href={`${path}${filtersToSearch({ ...rest, cluster: name })}`}
        aria-current={active ? "page" : undefined}
        className={`rounded-full px-3 py-1 text-sm ${
          active
            ? "bg-slate-900 text-white"
            : "bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-100"
        }`}
      >
        {label}
      </a>
    );
  };
  return (
    <nav aria-label="Clusters" className="mb-4 flex flex-wrap items-center gap-2">
      {link(undefined, "All clusters")}
      {clusters.map((c) => link(c.name, c.name))}
    </nav>
  );
}
