import "server-only";
import { filterDate, type AuditFilters } from "@/components/lib/audit-filters";
import type { Database } from "@/lib/db/open";
import { redactSecrets } from "@/lib/redact";
import type { ReadScope } from "../scope/read-scope";
import { clusterNames, resolveCluster } from "./clusters";
import { keysetPage, textCondition, textMatches } from "./text-filter";

export interface AuditDto {
  id: number;
  clusterId: string | null;
  /** null for the dashboard's own entries (sign-ins). */
  clusterName: string | null;
  at: string;
  actor: string;
  action: string;
  targetKind: string;
  target: string;
  commandId: number | null;
  details: Record<string, unknown>;
  source: string;
}

export interface AuditPage {
  rows: AuditDto[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/** An action filter ending in a dot is a prefix ("command."), matched as text filters are. */
const actionPrefix = (filters: AuditFilters) => (filters.action?.endsWith(".") ? filters.action : undefined);

function where(db: Database, filters: AuditFilters, clusterId: string | null | undefined, cursor?: number) {
  const from = filterDate(filters.from);
  const to = filterDate(filters.to);
  const prefix = actionPrefix(filters);
  return {
    // A cluster that is not in the fleet has no entries (rather than every entry).
    ...(clusterId !== undefined ? { clusterId: clusterId ?? "(none)" } : {}),
    ...(cursor ? { id: { lt: cursor } } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: prefix ? textCondition(db, prefix, "startsWith") : filters.action } : {}),
    ...(filters.target ? { target: textCondition(db, filters.target, "contains") } : {}),
    ...(from || to ? { at: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
  };
}

/** Whether a row the store returned passes the text filters by their rule (./text-filter.ts). */
function passesText(filters: AuditFilters) {
  const prefix = actionPrefix(filters);
  return (row: { action: string; target: string }) =>
    (!prefix || textMatches(row.action, prefix, "startsWith")) &&
    (!filters.target || textMatches(row.target, filters.target, "contains"));
}

function toDto(
  row: {
    id: number;
    clusterId: string | null;
    at: Date;
    actor: string;
    action: string;
    targetKind: string;
    target: string;
    commandId: number | null;
    details: string;
    source: string;
  },
  names: Map<string, string>,
): AuditDto {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    details = { raw: row.details };
  }
  const clusterName = row.clusterId === null ? null : (names.get(row.clusterId) ?? row.clusterId);
  return { ...row, clusterName, at: row.at.toISOString(), details: redactSecrets(details) };
}

/** Newest first, keyset-paginated by id (stable while new rows arrive). */
export async function listAudit(
  scope: ReadScope,
  filters: AuditFilters,
  cursor?: number,
  limit = 50,
): Promise<AuditPage> {
  const { db } = scope;
  const cluster = await resolveCluster(scope, filters.cluster);
  const clusterId = cluster === undefined ? undefined : (cluster?.id ?? null);
  const [page, names] = await Promise.all([
    keysetPage(
      (from: number | undefined, take: number) =>
        db.auditEvent.findMany({ where: where(db, filters, clusterId, from), orderBy: { id: "desc" }, take }),
      passesText(filters),
      cursor,
      limit,
    ),
    clusterNames(scope),
  ]);
  return { rows: page.rows.map((row) => toDto(row, names)), nextCursor: page.nextCursor };
}

/** Every matching row, newest first, fetched in batches for exports. */
export async function* allAudit(
  scope: ReadScope,
  filters: AuditFilters,
  batch = 1000,
): AsyncGenerator<AuditDto> {
  let cursor: number | undefined;
  for (;;) {
    const page = await listAudit(scope, filters, cursor, batch);
    yield* page.rows;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

/** Distinct actors and actions, for the filter form's suggestions. */
export async function auditFacets(scope: ReadScope): Promise<{ actors: string[]; actions: string[] }> {
  const { db } = scope;
  const [actors, actions] = await Promise.all([
    db.auditEvent.findMany({
      distinct: ["actor"],
      select: { actor: true },
      orderBy: { actor: "asc" },
      take: 200,
    }),
    db.auditEvent.findMany({
      distinct: ["action"],
      select: { action: true },
      orderBy: { action: "asc" },
      take: 200,
    }),
  ]);
  return { actors: actors.map((a) => a.actor), actions: actions.map((a) => a.action) };
}
