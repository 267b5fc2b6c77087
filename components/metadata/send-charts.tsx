"use client";

import { SEND_REASONS, type SendReason } from "@/lib/metadata";
import type { MinuteBucket } from "@/server/queries/metadata";
import { queryKeys, withCluster } from "@/components/live/query-keys";
import { Card } from "@/components/ui/card";
import { useLiveData } from "@/components/live/use-live-data";

const W = 600;
const H = 160;
const PAD = { left: 40, right: 8, top: 8, bottom: 20 };
const REASON_COLOR: Record<SendReason, string> = {
  create: "#10b981",
  update: "#0ea5e9",
  heartbeat: "#94a3b8",
  retry: "#f59e0b",
};
const LATENCY_LINES = [
  { key: "p50", color: "#0ea5e9" },
  { key: "p90", color: "#6366f1" },
  { key: "p99", color: "#e11d48" },
] as const;

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** A round upper bound for an axis: 1, 2, 5 × 10^n. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * magnitude >= value) ?? 10) * magnitude;
}

function Axes({ max, unit, buckets }: { max: number; unit: string; buckets: MinuteBucket[] }) {
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  return (
    <g className="text-[10px]" fill="#64748b">
      {[0, max / 2, max].map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#e2e8f0" />
          <text x={PAD.left - 4} y={y(v) + 3} textAnchor="end">
            {Number.isInteger(v) ? v : v.toFixed(1)}
            {unit}
          </text>
        </g>
      ))}
      {buckets.length > 0 && (
        <>
          <text x={PAD.left} y={H - 4}>
            {time(buckets[0]!.minute)}
          </text>
          <text x={W - PAD.right} y={H - 4} textAnchor="end">
            {time(buckets[buckets.length - 1]!.minute)}
          </text>
        </>
      )}
    </g>
  );
}

function SendsPerMinute({ buckets }: { buckets: MinuteBucket[] }) {
  const totals = buckets.map((b) => SEND_REASONS.reduce((sum, r) => sum + b.counts[r], 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, buckets.length);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="w-full" role="img" aria-label="Sends per minute by reason">
      <Axes max={max} unit="" buckets={buckets} />
      {buckets.map((b, i) => {
        let base = PAD.top + plotH;
        return (
          <g key={b.minute}>
            <title>
              {`${time(b.minute)}: ${SEND_REASONS.map((r) => `${b.counts[r]} ${r}`).join(", ")}; ${b.failed} failed`}
            </title>
            {SEND_REASONS.map((r) => {
              const h = (b.counts[r] / max) * plotH;
              base -= h;
              return h > 0 ? (
                <rect
                  key={r}
                  x={PAD.left + i * slot + 1}
                  y={base}
                  width={Math.max(1, slot - 2)}
                  height={h}
                  fill={REASON_COLOR[r]}
                />
              ) : null;
            })}
          </g>
        );
      })}
    </svg>
  );
}

function LatencyPercentiles({ buckets }: { buckets: MinuteBucket[] }) {
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.p99 ?? 0)));
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, buckets.length);
  const x = (i: number) => PAD.left + i * slot + slot / 2;
  const y = (v: number) => PAD.top + plotH * (1 - v / max);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      className="w-full"
      role="img"
      aria-label="Send latency percentiles per minute"
    >
      <Axes max={max} unit=" ms" buckets={buckets} />
      {LATENCY_LINES.map(({ key, color }) => {
        // Minutes without sends break the line instead of dropping to zero.
        const segments: [number, number][][] = [[]];
        buckets.forEach((b, i) => {
          const v = b[key];
          if (v === null) segments.push([]);
          else segments[segments.length - 1]!.push([x(i), y(v)]);
        });
        return segments
          .filter((points) => points.length > 0)
          .map((points, j) =>
            points.length === 1 ? (
              <circle key={`${key}-${j}`} cx={points[0]![0]} cy={points[0]![1]} r={2} fill={color} />
            ) : (
              <polyline
                key={`${key}-${j}`}
                points={points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")}
                fill="none"
                stroke={color}
                strokeWidth={1.5}
              />
            ),
          );
      })}
    </svg>
  );
}

function Legend({ items }: { items: { label: string; color: string }[] }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-3 text-xs text-slate-600">
      {items.map((item) => (
        <li key={item.label} className="flex items-center gap-1">
          <span className="inline-block h-2 w-3 rounded-sm" style={{ background: item.color }} aria-hidden />
          {item.label}
        </li>
      ))}
    </ul>
  );
}

/** Sends per minute by reason and latency percentiles over the last hour, following the live stream. */
export function SendCharts({ initial, cluster }: { initial: MinuteBucket[]; cluster?: string }) {
  const data = useLiveData(
    queryKeys.metadataCharts(cluster),
    withCluster("/api/metadata/charts", cluster),
    initial,
  );
  const total = data.reduce((sum, b) => sum + SEND_REASONS.reduce((s, r) => s + b.counts[r], 0), 0);
  const failed = data.reduce((sum, b) => sum + b.failed, 0);
  return (
    <div className="mb-6 grid gap-4 lg:grid-cols-2">
      <Card
        title="Sends per minute (last hour)"
        actions={
          <span className="text-xs text-slate-500" data-testid="sends-last-hour">
            {total} attempts, {failed} failed
          </span>
        }
      >
        <SendsPerMinute buckets={data} />
        <Legend items={SEND_REASONS.map((r) => ({ label: r, color: REASON_COLOR[r] }))} />
      </Card>
      <Card title="Send latency (last hour)">
        <LatencyPercentiles buckets={data} />
        <Legend items={LATENCY_LINES.map((l) => ({ label: l.key, color: l.color }))} />
      </Card>
    </div>
  );
}
