"use client";

import type { GateDto } from "@/server/queries/autoscaling";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { useFleet } from "@/components/fleet/fleet-context";

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function gateState(g: GateDto): "off" | "closed" | "open" {
  if (!g.workloadEnabled) return "off";
  return g.open ? "open" : "closed";
}

/** One controller's lazy gate: closed, or open since when and by which object; its pod cache. */
export function GatePanel({ gate: g }: { gate: GateDto }) {
  const state = gateState(g);
  const { showClusters } = useFleet();
  return (
    <Card
      title={
        <span>
          Pod-watch gate <span className="font-mono font-normal text-slate-500">{g.controllerId}</span>
          {showClusters && <span className="ml-2 font-normal text-slate-500">in {g.clusterName}</span>}
          {g.isLeader && <span className="ml-2 text-xs font-normal text-slate-500">(leader)</span>}
        </span>
      }
      actions={
        state === "open" ? (
          <Badge tone="good">open</Badge>
        ) : state === "closed" ? (
          <Badge tone="info">closed</Badge>
        ) : (
          <Badge>workload autoscaling off</Badge>
        )
      }
    >
      <div
        data-testid="autoscaling-gate"
        data-state={state}
        data-controller={g.controllerId}
        className="space-y-3"
      >
        <p className="text-sm text-slate-700" data-testid="gate-summary">
          {state === "off" ? (
            <>
              Workload autoscaling is off on this controller (
              <code className="font-mono">DD_AUTOSCALING_WORKLOAD_ENABLED=false</code>).
            </>
          ) : state === "closed" ? (
            <>
              Closed: no DatadogPodAutoscaler or cluster profile yet, so no cluster-wide pod watch for
              autoscaling.
            </>
          ) : (
            <>
              Open since <RelativeTime iso={g.openedAt!} />, opened by{" "}
              <span data-testid="gate-opened-by" className="font-mono">
                {g.openedByKind} {g.openedByName}
              </span>
              . It stays open until the controller restarts, even with no autoscaler left.
            </>
          )}
        </p>
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-xs text-slate-500">Pod cache</dt>
            <dd data-testid="pod-store-state">
              {g.podCollectionSyncedAt ? "synced" : g.podStoreStartedAt ? "syncing" : "not started"}
              {g.podStoreEager && (
                <span className="ml-1 text-xs text-slate-500">(started with spot scheduling)</span>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Pods cached</dt>
            <dd data-testid="pods-cached">{g.podsCached.toLocaleString("en-US")}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Store memory (estimated)</dt>
            <dd data-testid="pod-store-memory">{formatMegabytes(g.podStoreBytes)}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Pod collection synced</dt>
            <dd>{g.podCollectionSyncedAt ? <RelativeTime iso={g.podCollectionSyncedAt} /> : "—"}</dd>
          </div>
        </dl>
      </div>
    </Card>
  );
}
