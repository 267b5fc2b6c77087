// The Metadata page's charts, aggregated in the store (a busy hour holds tens of thousands of
// sends): attempts per minute by reason, failures, and nearest-rank latency percentiles.
import { providerOf, type Database } from "@/lib/db/open";
import { SEND_REASONS, type SendReason } from "@/lib/metadata";
import type { ReadScope } from "../scope/read-scope";

export interface MinuteBucket {
  /** Start of the minute (ISO). */
  minute: string;
  counts: Record<SendReason, number>;
  failed: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

// The minute of `at` as "YYYY-MM-DDTHH:MM" (an ISO time's first 16 characters), and a time
// to compare `at` with, in each store's terms. SQLite stores `at` as ISO text
// ("2026-11-23T00:09:02.161+00:00"); PostgreSQL as a timestamp without time zone, in UTC.
const DIALECT = {
  sqlite: {
    minute: `substr("at", 1, 16)`,
    time: () => "?",
    value: (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00"),
  },
  postgresql: {
    minute: `to_char("at", 'YYYY-MM-DD"T"HH24:MI')`,
    time: (i: number) => `$${i}::timestamp`,
    value: (ms: number) => new Date(ms).toISOString().replace("Z", ""),
  },
};

/**
 * Attempts per minute by reason and latency percentiles over the last `minutes`, of the
 * clusters the actor sees (of one with `clusterId`): cluster-wide figures, of every object.
 */
export async function sendCharts(
  scope: ReadScope,
  filter: { clusterId?: string } = {},
  minutes = 60,
  now = Date.now(),
): Promise<MinuteBucket[]> {
  return scope.clusterAggregate((db, visible) => {
    const wanted = filter.clusterId;
    const clusterIds = wanted ? (visible ?? [wanted]).filter((id) => id === wanted) : visible;
    return aggregate(db, minutes, now, clusterIds ?? undefined);
  });
}

/** Buckets of the sends of the clusters listed, or (no list) of the whole fleet. */
async function aggregate(
  db: Database,
  minutes: number,
  now: number,
  clusterIds: string[] | undefined,
): Promise<MinuteBucket[]> {
  const start = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
  const dialect = DIALECT[providerOf(db)];
  const params: unknown[] = [dialect.value(start)];
  const since = dialect.time(1);
  let cluster = "";
  if (clusterIds !== undefined) {
    const marks = clusterIds.map((_, i) => (providerOf(db) === "sqlite" ? "?" : `$${i + 2}`));
    params.push(...clusterIds);
    cluster = marks.length ? ` AND "clusterId" IN (${marks.join(", ")})` : " AND 1 = 0";
  }
  const minute = dialect.minute;
  const counts = await db.$queryRawUnsafe<
    { minute: string; reason: string; status: string; n: number | bigint }[]
  >(
    `SELECT ${minute} AS minute, "reason", "status", COUNT(*) AS n
       FROM "MetadataSend" WHERE "at" >= ${since} AND "status" != 'skipped'${cluster}
      GROUP BY 1, 2, 3`,
    ...params,
  );
  // Nearest rank: the p-th percentile is the smallest value whose rank r satisfies r ≥ n·p/100.
  const latencies = await db.$queryRawUnsafe<
    { minute: string; p50: number | null; p90: number | null; p99: number | null }[]
  >(
    `WITH ranked AS (
       SELECT ${minute} AS minute, "latencyMs",
              ROW_NUMBER() OVER (PARTITION BY ${minute} ORDER BY "latencyMs") AS r,
              COUNT(*) OVER (PARTITION BY ${minute}) AS n
         FROM "MetadataSend" WHERE "at" >= ${since} AND "latencyMs" IS NOT NULL${cluster})
     SELECT minute,
            MIN(CASE WHEN r * 100 >= n * 50 THEN "latencyMs" END) AS p50,
            MIN(CASE WHEN r * 100 >= n * 90 THEN "latencyMs" END) AS p90,
            MIN(CASE WHEN r * 100 >= n * 99 THEN "latencyMs" END) AS p99
       FROM ranked GROUP BY minute`,
    ...params,
  );
  const buckets = new Map<string, MinuteBucket>();
  for (let i = 0; i < minutes; i++) {
    const minute = new Date(start + i * 60_000).toISOString();
    buckets.set(minute.slice(0, 16), {
      minute,
      counts: Object.fromEntries(SEND_REASONS.map((r) => [r, 0])) as Record<SendReason, number>,
      failed: 0,
      p50: null,
      p90: null,
      p99: null,
    });
  }
  for (const row of counts) {
    const bucket = buckets.get(row.minute);
    if (!bucket) continue;
    if (row.reason in bucket.counts) bucket.counts[row.reason as SendReason] += Number(row.n);
    if (row.status === "failed") bucket.failed += Number(row.n);
  }
  for (const row of latencies) {
    const bucket = buckets.get(row.minute);
    if (bucket) Object.assign(bucket, { p50: num(row.p50), p90: num(row.p90), p99: num(row.p99) });
  }
  return [...buckets.values()];
}

const num = (value: number | null) => (value === null ? null : Number(value));
