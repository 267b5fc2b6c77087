"use client";

import { useNow } from "@/components/ui/relative-time";

function remaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${sec} s` : `${sec} s`;
}

/** "Spot disabled — resumes in 1 min 12 s (at 10:42:00)", ticking every second. */
export function DisabledCountdown({ until }: { until: string | null }) {
  const now = useNow();
  const end = until ? Date.parse(until) : Number.NaN;
  if (Number.isNaN(end) || end <= now) {
    return (
      <span data-testid="spot-state" data-state="enabled" className="text-emerald-700">
        Spot enabled
      </span>
    );
  }
  return (
    <span data-testid="spot-state" data-state="disabled" className="text-amber-800" suppressHydrationWarning>
      Spot disabled, new pods go on-demand; resumes in{" "}
      <span className="font-medium tabular-nums" data-testid="spot-countdown">
        {remaining(end - now)}
      </span>{" "}
      (at <time dateTime={until!}>{new Date(end).toLocaleTimeString()}</time>)
    </span>
  );
}
