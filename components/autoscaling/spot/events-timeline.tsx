import type { SpotEventDto } from "@/server/queries/spot";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";

/** The workload's spot events (the Kubernetes Events of the spot scheduler), newest first. */
export function EventsTimeline({ events }: { events: SpotEventDto[] }) {
  if (events.length === 0) {
    return (
      <p className="text-sm text-slate-500">No spot events yet: no fallback and no rebalancing so far.</p>
    );
  }
  return (
    <ol className="space-y-2 border-l border-slate-200 pl-4" aria-label="Spot events, newest first">
      {events.map((e) => (
        <li key={e.id} data-testid="spot-event" data-reason={e.reason} className="relative text-sm">
          <span aria-hidden className="absolute -left-[21px] top-1.5 h-2 w-2 rounded-full bg-amber-500" />
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={e.type === "Warning" ? "warn" : "info"}>{e.reason}</Badge>
            <span className="text-xs text-slate-500">
              <RelativeTime iso={e.at} />
            </span>
            <span className="font-mono text-xs text-slate-600">
              {e.objectKind}/{e.objectName}
            </span>
          </div>
          <p className="mt-0.5 text-slate-700">{e.message}</p>
        </li>
      ))}
    </ol>
  );
}
