import { filtersToSearch } from "@/components/lib/search-params";

/** Links of a log paged by id cursor: back to the newest page, and on to older entries. */
export function Pager({
  path,
  filters,
  cursor,
  nextCursor,
}: {
  path: string;
  filters: Record<string, string | undefined>;
  /** The page shown (null: the newest). */
  cursor: number | null;
  /** Where the next, older page starts (null: this is the last). */
  nextCursor: number | null;
}) {
  return (
    <nav aria-label="Pages" className="mt-4 flex gap-4 text-sm">
      {cursor !== null && (
        <a className="text-sky-700 hover:underline" href={`${path}${filtersToSearch(filters)}`}>
          ← Newest
        </a>
      )}
      {nextCursor !== null && (
        <a
          className="text-sky-700 hover:underline"
          href={`${path}${filtersToSearch(filters, { cursor: String(nextCursor) })}`}
        >
          Older →
        </a>
      )}
    </nav>
  );
}
