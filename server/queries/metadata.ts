import "server-only";
import { diffLines } from "diff";
import type { MetadataFilters } from "@/lib/metadata-filters";
import { SEND_REASONS, type ForwarderState, type SendReason, type WatchInfo } from "@/lib/metadata";
import { payloadView } from "@/lib/metadata-view";
import { percentile } from "@/lib/stats";
import { getDb } from "../db";

export interface SendRowDto {
  id: number;
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
  /** The payload as sent (JSON text; never holds the API key), "" when skipped. */
  payload: string;
  /** The payload as readable YAML, JSON-string fields expanded. */
  view: string;
  /** The previous send of the same object that carried a payload, and the diff from it. */
  previous: { id: number; at: string; reason: string; status: string } | null;
  diff: DiffPart[] | null;
}

export interface ForwarderDto {
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

export interface MinuteBucket {
  /** Start of the minute (ISO). */
  minute: string;
  counts: Record<SendReason, number>;
  failed: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

const ROW_SELECT = {
  id: true,
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

const toDto = ({ at, ...row }: Omit<SendRowDto, "at"> & { at: Date }): SendRowDto => ({
  ...row,
  at: at.toISOString(),
});

function where(filters: MetadataFilters, cursor?: number) {
  return {
    ...(cursor ? { id: { lt: cursor } } : {}),
    ...(filters.forwarder ? { forwarder: filters.forwarder } : {}),
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.object ? { object: { contains: filters.object } } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.reason ? { reason: filters.reason } : {}),
  };
}

/** Newest first, keyset-paginated by id. Payloads are left out (see getSendDetail). */
export async function listSends(filters: MetadataFilters, cursor?: number, limit = 50): Promise<SendsPage> {
  const db = await getDb();
  const rows = await db.metadataSend.findMany({
    where: where(filters, cursor),
    select: ROW_SELECT,
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toDto);
  return { rows: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

export async function getSendDetail(id: number): Promise<SendDetailDto | null> {
  const db = await getDb();
  const row = await db.metadataSend.findUnique({ where: { id } });
  if (!row) return null;
  const previous = row.payload
    ? await db.metadataSend.findFirst({
        where: {
          forwarder: row.forwarder,
          kind: row.kind,
          object: row.object,
          id: { lt: row.id },
          payload: { not: "" },
        },
        orderBy: { id: "desc" },
      })
    : null;
  const view = payloadView(row.payload);
  const { payload: _payload, ...fields } = row;
  return {
    send: toDto(fields),
    payload: row.payload,
    view,
    previous: previous
      ? { id: previous.id, at: previous.at.toISOString(), reason: previous.reason, status: previous.status }
      : null,
    diff: previous
      ? diffLines(payloadView(previous.payload), view).map((part) => ({
          kind: part.added ? "added" : part.removed ? "removed" : "same",
          text: part.value,
        }))
      : null,
  };
}

export async function listForwarders(): Promise<ForwarderDto[]> {
  const db = await getDb();
  const rows = await db.metadataForwarder.findMany({ orderBy: { name: "asc" } });
  return rows.map((r) => ({
    name: r.name,
    state: r.state as ForwarderState,
    message: r.message,
    intakeUrl: r.intakeUrl,
    controllerId: r.controllerId,
    activeWatches: JSON.parse(r.activeWatches) as WatchInfo[],
    deniedWatches: JSON.parse(r.deniedWatches) as WatchInfo[],
    queueDepth: r.queueDepth,
    snapshots: r.snapshots,
    heartbeatSeconds: r.heartbeatSeconds,
    lastHeartbeatAt: r.lastHeartbeatAt?.toISOString() ?? null,
    lastSendAt: r.lastSendAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
  }));
}

/** Attempts per minute by reason, failures, and latency percentiles, over the last `minutes`. */
export async function sendCharts(minutes = 60, now = Date.now()): Promise<MinuteBucket[]> {
  const db = await getDb();
  const start = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
  const rows = await db.metadataSend.findMany({
    where: { at: { gte: new Date(start) }, status: { not: "skipped" } },
    select: { at: true, reason: true, status: true, latencyMs: true },
    take: 200_000,
  });
  const buckets = Array.from({ length: minutes }, (_, i) => ({
    counts: Object.fromEntries(SEND_REASONS.map((r) => [r, 0])) as Record<SendReason, number>,
    failed: 0,
    latencies: [] as number[],
    minute: new Date(start + i * 60_000).toISOString(),
  }));
  for (const row of rows) {
    const bucket = buckets[Math.floor((row.at.getTime() - start) / 60_000)];
    if (!bucket) continue;
    if (row.reason in bucket.counts) bucket.counts[row.reason as SendReason]++;
    if (row.status === "failed") bucket.failed++;
    if (row.latencyMs !== null) bucket.latencies.push(row.latencyMs);
  }
  return buckets.map(({ latencies, ...b }) => ({
    ...b,
    p50: latencies.length ? percentile(latencies, 50) : null,
    p90: latencies.length ? percentile(latencies, 90) : null,
    p99: latencies.length ? percentile(latencies, 99) : null,
  }));
}
