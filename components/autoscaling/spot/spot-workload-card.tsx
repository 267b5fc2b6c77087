"use client";

import type { SpotWorkloadDto } from "@/server/queries/spot";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { RelativeTime, useNow } from "@/components/ui/relative-time";
import { Field } from "@/components/ui/field";
import { useFleet } from "@/components/fleet/fleet-context";
import { DisabledCountdown } from "./disabled-countdown";
import { EventsTimeline } from "./events-timeline";
import { RatioBar } from "./ratio-bar";
import { SpotCommands } from "./spot-commands";

export function SpotWorkloadCard({ workload: w }: { workload: SpotWorkloadDto }) {
  const now = useNow();
  const disabled = w.disabledUntil !== null && Date.parse(w.disabledUntil) > now;
  const { showClusters } = useFleet();
  return (
    <Card
      title={
        <span>
          <span className="font-normal text-slate-500">{w.kind}</span>{" "}
          <span className="font-mono">
            {w.namespace}/{w.name}
          </span>
          {showClusters && <span className="ml-2 font-normal text-slate-500">in {w.clusterName}</span>}
        </span>
      }
      actions={
        !w.optedIn ? (
          <Badge tone="info">opted out</Badge>
        ) : disabled ? (
          <Badge tone="warn">on-demand fallback</Badge>
        ) : (
          <Badge tone="good">spot enabled</Badge>
        )
      }
    >
      <div
        data-testid="spot-workload"
        data-workload={w.key}
        data-cluster={w.clusterName}
        className="space-y-4"
      >
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
          <Field label="Target on spot">
            <span data-testid="spot-target-percentage">{w.percentage} %</span>
          </Field>
          <Field label="Minimum on-demand">
            <span data-testid="spot-min-on-demand">{w.minOnDemand}</span>
          </Field>
          <Field label="Replicas">{w.replicas ?? "—"}</Field>
          <Field label="Pending spot pods">
            <span data-testid="spot-pending">{w.pendingSpotPods}</span>
            {w.oldestPendingAt && (
              <span className="ml-1 text-xs text-slate-500">
                (oldest since <RelativeTime iso={w.oldestPendingAt} />)
              </span>
            )}
          </Field>
        </dl>
        <RatioBar
          spot={w.spotPods}
          onDemand={w.onDemandPods}
          targetSpot={w.targetSpot}
          targetOnDemand={w.targetOnDemand}
        />
        {w.optedIn ? (
          <p className="text-sm">
            <DisabledCountdown until={w.disabledUntil} />
          </p>
        ) : (
          <p className="text-sm text-slate-700">
            The opt-in label was removed: its spot pods are moved back to on-demand, one per stabilization
            period.
          </p>
        )}
        {w.configError && (
          <p
            role="alert"
            className="rounded-md border border-amber-200 bg-amber-50 p-2 text-sm text-amber-900"
          >
            {w.configError}
          </p>
        )}
        {w.optedIn && <SpotCommands workload={w} disabled={disabled} />}
        <div>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Events</h3>
          <EventsTimeline events={w.events} />
        </div>
      </div>
    </Card>
  );
}
