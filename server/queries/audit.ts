import "server-only";
import { filterDate, type AuditFilters } from "@/components/lib/audit-filters";
import { redactSecrets } from "@/lib/redact";
import { getDb } from "../db";
import { clusterNames, resolveCluster } from "./clusters";

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

function where(filters: AuditFilters, clusterId: string | null | undefined, cursor?: number) {
  const from = filterDate(filters.from);
  const to = filterDate(filters.to);
  return {
    // A cluster that is not in the fleet has no entries (rather than every entry).
    ...(clusterId !== undefined ? { clusterId: clusterId ?? "(none)" } : {}),
    ...(cursor ? { id: { lt: cursor } } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action
      ? filters.action.endsWith(".")
        ? { action: { startsWith: filters.action } }
        : { action: filters.action }
      : {}),
    ...(filters.target ? { target: { contains: filters.target } } : {}),
    ...(from || to ? { at: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
  };
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
export async function listAudit(filters: AuditFilters, cursor?: number, limit = 50): Promise<AuditPage> {
  const db = await getDb();
  const cluster = await resolveCluster(filters.cluster);
  const [rows, names] = await Promise.all([
    db.auditEvent.findMany({
      where: where(filters, cluster === undefined ? undefined : (cluster?.id ?? null), cursor),
      orderBy: { id: "desc" },
      take: limit + 1,
    }),
    clusterNames(),
  ]);
  const page = rows.slice(0, limit).map((row) => toDto(row, names));
  return { rows: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** Every matching row, newest first, fetched in batches for exports. */
export async function* allAudit(filters: AuditFilters, batch = 1000): AsyncGenerator<AuditDto> {
  let cursor: number | undefined;
  for (;;) {
    const page = await listAudit(filters, cursor, batch);
    yield* page.rows;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

/** Distinct actors and actions, for the filter form's suggestions. */
export async function auditFacets(): Promise<{ actors: string[]; actions: string[] }> {
  const db = await getDb();
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
