import "server-only";
import type { MetadataFilters } from "@/components/lib/metadata-filters";
import type { ForwarderState, WatchInfo } from "@/lib/metadata";
import { watchesColumn } from "@/lib/read-model/metadata";
import { payloadView } from "@/server/metadata-view";
import { diffPayloads, type DiffPart } from "@/server/payload-diff";
import type { Database } from "@/lib/db/open";
import { redactText } from "@/lib/redact";
import type { ReadScope } from "../scope/read-scope";
import { clusterNames, resolveCluster } from "./clusters";
import type { MinuteBucket } from "./metadata-charts";
import { keysetPage, textCondition, textMatches } from "./text-filter";

export type { DiffPart, MinuteBucket };

export interface SendRowDto {
  id: number;
  clusterId: string;
  clusterName: string;
  at: string;
  forwarder: string;
  kind: string;
  object: string;
  revision: number | null;
  reason: string;
  status: string;
  attempt: number;
  sizeBytes: number;
  httpStatus: number | null;
  latencyMs: number | null;
  error: string | null;
}

export interface SendsPage {
  rows: SendRowDto[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

export interface SendDetailDto {
  send: SendRowDto;
  /** The payload as sent (JSON text, secrets redacted; never holds the API key), "" when skipped or not kept. */
  payload: string;
  /** Sent, but its payload was not kept: over the per-row budget, or its oldest beyond the total one. */
  payloadNotKept: boolean;
  /** The payload as readable YAML, JSON-string fields expanded. */
  view: string;
  /** The previous send of the same object that carried a payload, and the diff from it. */
  previous: { id: number; at: string; reason: string; status: string } | null;
  diff: DiffPart[] | null;
  /** Why there is no diff from the previous send (too large, too different): both views are shown. */
  diffSkipped: string | null;
  /** The previous send's view, when the diff was skipped. */
  previousView: string | null;
}

export interface ForwarderDto {
  clusterId: string;
  clusterName: string;
  name: string;
  state: ForwarderState;
  message: string;
  intakeUrl: string;
  controllerId: string;
  activeWatches: WatchInfo[];
  deniedWatches: WatchInfo[];
  queueDepth: number;
  snapshots: number;
  heartbeatSeconds: number;
  lastHeartbeatAt: string | null;
  lastSendAt: string | null;
  updatedAt: string;
}

const ROW_SELECT = {
  id: true,
  clusterId: true,
  at: true,
  forwarder: true,
  kind: true,
  object: true,
  revision: true,
  reason: true,
  status: true,
  attempt: true,
  sizeBytes: true,
  httpStatus: true,
  latencyMs: true,
  error: true,
} as const;

const toDto =
  (names: Map<string, string>) =>
  ({ at, error, ...row }: Omit<SendRowDto, "at" | "clusterName"> & { at: Date }): SendRowDto => ({
    ...row,
    clusterName: names.get(row.clusterId) ?? row.clusterId,
    at: at.toISOString(),
    error: error && redactText(error),
  });

function where(db: Database, filters: MetadataFilters, clusterId: string | undefined, cursor?: number) {
  return {
    ...(clusterId !== undefined ? { clusterId } : {}),
    ...(cursor ? { id: { lt: cursor } } : {}),
    ...(filters.forwarder ? { forwarder: filters.forwarder } : {}),
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.object ? { object: textCondition(db, filters.object, "contains") } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.reason ? { reason: filters.reason } : {}),
  };
}

/** Newest first, keyset-paginated by id. Payloads are left out (see getSendDetail). */
export async function listSends(
  scope: ReadScope,
  filters: MetadataFilters,
  cursor?: number,
  limit = 50,
): Promise<SendsPage> {
  const { db } = scope;
  const cluster = await resolveCluster(scope, filters.cluster);
  if (cluster === null) return { rows: [], nextCursor: null };
  const object = filters.object;
  const [page, names] = await Promise.all([
    keysetPage(
      (from: number | undefined, take: number) =>
        db.metadataSend.findMany({
          where: where(db, filters, cluster?.id, from),
          select: ROW_SELECT,
          orderBy: { id: "desc" },
          take,
        }),
      (row) => !object || textMatches(row.object, object, "contains"),
      cursor,
      limit,
    ),
    clusterNames(scope),
  ]);
  return { rows: page.rows.map(toDto(names)), nextCursor: page.nextCursor };
}

export async function getSendDetail(scope: ReadScope, id: number): Promise<SendDetailDto | null> {
  const { db } = scope;
  const [row, names] = await Promise.all([
    db.metadataSend.findUnique({ where: { id } }),
    clusterNames(scope),
  ]);
  if (!row) return null;
  const previous = row.payload
    ? await db.metadataSend.findFirst({
        where: {
          clusterId: row.clusterId,
          forwarder: row.forwarder,
          kind: row.kind,
          object: row.object,
          id: { lt: row.id },
          payload: { not: "" },
        },
        orderBy: { id: "desc" },
      })
    : null;
  // Redacted again when shown: rows written before the one redactor had a narrower one.
  const payload = redactText(row.payload);
  const view = payloadView(payload);
  const { payload: _payload, ...fields } = row;
  const previousView = previous ? payloadView(redactText(previous.payload)) : null;
  const diff = previousView === null ? null : diffPayloads(previousView, view);
  return {
    send: toDto(names)(fields),
    payload,
    payloadNotKept: row.payload === "" && row.sizeBytes > 0,
    view,
    previous: previous
      ? { id: previous.id, at: previous.at.toISOString(), reason: previous.reason, status: previous.status }
      : null,
    diff: diff && "parts" in diff ? diff.parts : null,
    diffSkipped: diff && "skipped" in diff ? diff.skipped : null,
    previousView: diff && "skipped" in diff ? previousView : null,
  };
}

/** Each forwarder of every cluster (or of one), by cluster then name. */
export async function listForwarders(
  scope: ReadScope,
  filter: { clusterId?: string } = {},
): Promise<ForwarderDto[]> {
  const [rows, names] = await Promise.all([
    scope.db.metadataForwarder.findMany({
      where: filter.clusterId ? { clusterId: filter.clusterId } : {},
      orderBy: [{ clusterId: "asc" }, { name: "asc" }],
    }),
    clusterNames(scope),
  ]);
  return rows
    .map((r) => ({
      clusterId: r.clusterId,
      clusterName: names.get(r.clusterId) ?? r.clusterId,
      name: r.name,
      state: r.state as ForwarderState,
      message: r.message,
      intakeUrl: r.intakeUrl,
      controllerId: r.controllerId,
      activeWatches: watchesColumn.decode(r.activeWatches),
      deniedWatches: watchesColumn.decode(r.deniedWatches),
      queueDepth: r.queueDepth,
      snapshots: r.snapshots,
      heartbeatSeconds: r.heartbeatSeconds,
      lastHeartbeatAt: r.lastHeartbeatAt?.toISOString() ?? null,
      lastSendAt: r.lastSendAt?.toISOString() ?? null,
      updatedAt: r.updatedAt.toISOString(),
    }))
    .sort((a, b) => a.clusterName.localeCompare(b.clusterName) || a.name.localeCompare(b.name));
}
