import { z } from "zod";
import { clusterParam, flattenParams } from "./search-params";

/** Filters of the audit trail, shared by the page, its API route and the export. */
export const auditFiltersSchema = z.object({
  /** A cluster's display name (or id); the dashboard's own entries (sign-ins) belong to none. */
  cluster: clusterParam,
  actor: z.string().trim().max(128).optional().catch(undefined),
  /** Exact action ("command.applied") or a prefix ending in a dot ("command."). */
  action: z.string().trim().max(128).optional().catch(undefined),
  /** Substring of the target ("datadog/" finds everything in that namespace). */
  target: z.string().trim().max(317).optional().catch(undefined),
  from: z.string().trim().optional().catch(undefined),
  to: z.string().trim().optional().catch(undefined),
});

export type AuditFilters = z.infer<typeof auditFiltersSchema>;

export function parseAuditFilters(params: Record<string, string | string[] | undefined>): AuditFilters {
  return auditFiltersSchema.parse(flattenParams(params));
}

/** Parses a date filter (ISO or the browser's datetime-local); undefined when absent or invalid. */
export function filterDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
