import "server-only";
import { diffLines } from "diff";
import type { MetadataFilters } from "@/components/lib/metadata-filters";
import type { ForwarderState, WatchInfo } from "@/lib/metadata";
import { watchesColumn } from "@/lib/read-model/metadata";
import { payloadView } from "@/server/metadata-view";
import type { Database } from "@/lib/db/open";
import { redactText } from "@/lib/redact";
import { getDb } from "../db";
import { clusterNames, resolveCluster } from "./clusters";
import { sendCharts as aggregateSendCharts, type MinuteBucket } from "./metadata-charts";
import { keysetPage, textCondition, textMatches } from "./text-filter";

export type { MinuteBucket };

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

export interface DiffPart {
  kind: "added" | "removed" | "same";
  text: string;
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
export async function listSends(filters: MetadataFilters, cursor?: number, limit = 50): Promise<SendsPage> {
  const db = await getDb();
  const cluster = await resolveCluster(filters.cluster);
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
    clusterNames(),
  ]);
  return { rows: page.rows.map(toDto(names)), nextCursor: page.nextCursor };
}

export async function getSendDetail(id: number): Promise<SendDetailDto | null> {
  const db = await getDb();
  const [row, names] = await Promise.all([db.metadataSend.findUnique({ where: { id } }), clusterNames()]);
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
  return {
    send: toDto(names)(fields),
    payload,
    payloadNotKept: row.payload === "" && row.sizeBytes > 0,
    view,
    previous: previous
      ? { id: previous.id, at: previous.at.toISOString(), reason: previous.reason, status: previous.status }
      : null,
    diff: previous
      ? diffLines(payloadView(redactText(previous.payload)), view).map((part) => ({
          kind: part.added ? "added" : part.removed ? "removed" : "same",
          text: part.value,
        }))
      : null,
  };
}

/** Each forwarder of every cluster (or of one), by cluster then name. */
export async function listForwarders(filter: { clusterId?: string } = {}): Promise<ForwarderDto[]> {
  const db = await getDb();
  const [rows, names] = await Promise.all([
    db.metadataForwarder.findMany({
      where: filter.clusterId ? { clusterId: filter.clusterId } : {},
      orderBy: [{ clusterId: "asc" }, { name: "asc" }],
    }),
    clusterNames(),
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

/** Attempts per minute by reason and latency percentiles over the last `minutes`. */
export async function sendCharts(filter: { clusterId?: string } = {}, minutes = 60): Promise<MinuteBucket[]> {
  return aggregateSendCharts(await getDb(), minutes, Date.now(), filter.clusterId);
}
