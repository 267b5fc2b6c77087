// Search params of the dashboard's filtered, paged views (the audit trail, the send log): read
// the same way by a page and by its API route, written the same way by links and fetches.

import { z } from "zod";

/** `?cluster=`: a cluster's display name or id, kept in the URL of every fleet-wide page. */
export const clusterParam = z.string().trim().min(1).max(128).optional().catch(undefined);

/** Search params as a page receives them → one string per name, empty ones dropped. */
export function flattenParams(params: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])
      .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""),
  );
}

/** A whole-number param such as `cursor` (the id to page from), or null when absent or not one. */
export function numberParam(value: string | string[] | undefined): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  return v && /^\d+$/.test(v) ? Number(v) : null;
}

export function filtersToSearch(
  filters: Record<string, string | undefined>,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}
