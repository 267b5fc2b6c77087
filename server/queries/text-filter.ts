import "server-only";
import { providerOf, type Database } from "@/lib/db/open";

// A text filter a user types (the audit trail's "target contains" and action prefix, the send
// log's "object contains") means the same on both stores: ASCII letters match either case, every
// other character matches only itself. The stores' LIKE, which Prisma's `contains` and
// `startsWith` use, differ: SQLite's ignores ASCII case and has no escape character (`%` and `_`
// stay wildcards); PostgreSQL's is case-sensitive and reads `\` as an escape. So the store is
// asked for a superset (PostgreSQL: ILIKE with `\`, `%` and `_` escaped; SQLite: LIKE as it is)
// and every row is checked here against the rule before it is shown.

export type TextMatch = "contains" | "startsWith";
type StringCondition = Partial<Record<TextMatch, string>>;

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Whether `value` matches the filter `text` by the rule above. */
export function textMatches(value: string, text: string, match: TextMatch): boolean {
  const [v, t] = [asciiLower(value), asciiLower(text)];
  return match === "contains" ? v.includes(t) : v.startsWith(t);
}

/** The Prisma condition that selects at least every row the rule matches, on the store of `db`. */
export function textCondition(db: Database, text: string, match: TextMatch): StringCondition {
  if (providerOf(db) === "sqlite") return { [match]: text };
  // `mode` is PostgreSQL's only: the SQLite client's type, which stands for both, lacks it.
  return { [match]: text.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" } as StringCondition;
}

/** The most rows one read of keysetPage asks for, however few of them pass. */
const MAX_BATCH = 1000;

/**
 * A page of rows newest first (keyset by id, below `cursor`) that pass `keep`: the store's
 * answer is read until `limit` rows pass or it runs out, so a superset from the store never
 * shortens a page. Reads after the first ask for twice as many rows (up to MAX_BATCH), so a
 * filter that few of the store's rows pass costs few queries.
 */
export async function keysetPage<Row extends { id: number }>(
  read: (cursor: number | undefined, take: number) => Promise<Row[]>,
  keep: (row: NoInfer<Row>) => boolean,
  cursor: number | undefined,
  limit: number,
): Promise<{ rows: Row[]; nextCursor: number | null }> {
  const kept: Row[] = [];
  let take = limit + 1;
  for (let from = cursor; ;) {
    const batch = await read(from, take);
    kept.push(...batch.filter(keep));
    if (kept.length > limit || batch.length < take) break;
    from = batch[batch.length - 1]!.id;
    take = Math.max(limit + 1, Math.min(take * 2, MAX_BATCH));
  }
  const rows = kept.slice(0, limit);
  return { rows, nextCursor: kept.length > limit ? rows[rows.length - 1]!.id : null };
}
