// The Metadata page's charts, aggregated in SQLite (a busy hour holds tens of thousands of
// sends): attempts per minute by reason, failures, and nearest-rank latency percentiles.
import type { Database } from "./open";
import { SEND_REASONS, type SendReason } from "../metadata";

export interface MinuteBucket {
  /** Start of the minute (ISO). */
  minute: string;
  counts: Record<SendReason, number>;
  failed: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

// `at` is stored as ISO text ("2026-11-23T00:09:02.161+00:00"); its first 16 characters name the minute.
const storedTime = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

export async function sendCharts(db: Database, minutes = 60, now = Date.now()): Promise<MinuteBucket[]> {
  const start = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
  const since = storedTime(start);
  const counts = await db.$queryRawUnsafe<
    { minute: string; reason: string; status: string; n: number | bigint }[]
  >(
    `SELECT substr(at, 1, 16) AS minute, reason, status, COUNT(*) AS n
       FROM MetadataSend WHERE at >= ? AND status != 'skipped'
      GROUP BY minute, reason, status`,
    since,
  );
  // Nearest rank: the p-th percentile is the smallest value whose rank r satisfies r ≥ n·p/100.
  const latencies = await db.$queryRawUnsafe<
    { minute: string; p50: number | null; p90: number | null; p99: number | null }[]
  >(
    `WITH ranked AS (
       SELECT substr(at, 1, 16) AS minute, latencyMs,
              ROW_NUMBER() OVER (PARTITION BY substr(at, 1, 16) ORDER BY latencyMs) AS r,
              COUNT(*) OVER (PARTITION BY substr(at, 1, 16)) AS n
         FROM MetadataSend WHERE at >= ? AND latencyMs IS NOT NULL)
     SELECT minute,
            MIN(CASE WHEN r * 100 >= n * 50 THEN latencyMs END) AS p50,
            MIN(CASE WHEN r * 100 >= n * 90 THEN latencyMs END) AS p90,
            MIN(CASE WHEN r * 100 >= n * 99 THEN latencyMs END) AS p99
       FROM ranked GROUP BY minute`,
    since,
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
    if (bucket) Object.assign(bucket, { p50: row.p50, p90: row.p90, p99: row.p99 });
  }
  return [...buckets.values()];
}
