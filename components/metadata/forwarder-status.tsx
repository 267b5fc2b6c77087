"use client";

import { FORWARDER_STATUS_STALE_AFTER_MS } from "@/lib/metadata";
import type { ForwarderDto } from "@/server/queries/metadata";
import { queryKeys, withCluster } from "@/components/live/query-keys";
import { useFleet } from "@/components/fleet/fleet-context";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { RelativeTime, useNow } from "@/components/ui/relative-time";
import { Field } from "@/components/ui/field";
import { useLiveData } from "@/components/live/use-live-data";

const TITLES: Record<string, string> = { crd: "CRD forwarder", helm: "Helm forwarder" };
const STATE: Record<ForwarderDto["state"] | "stale", { label: string; tone: Tone }> = {
  on: { label: "forwarding", tone: "good" },
  off: { label: "off", tone: "warn" },
  standby: { label: "standby", tone: "neutral" },
  stale: { label: "not reporting", tone: "bad" },
};

function every(seconds: number): string {
  return seconds % 60 === 0 ? `every ${seconds / 60} min` : `every ${seconds} s`;
}

/**
 * Each forwarder's watches, denied watches, heartbeat and queue, as each cluster's leading
 * controller reports them.
 */
export function ForwarderStatus({ initial, cluster }: { initial: ForwarderDto[]; cluster?: string }) {
  const now = useNow();
  const { showClusters } = useFleet();
  const data = useLiveData(
    queryKeys.metadataForwarders(cluster),
    withCluster("/api/metadata/forwarders", cluster),
    initial,
  );
  if (data.length === 0) {
    return (
      <p
        className="mb-6 rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600"
        role="status"
      >
        No controller has reported metadata forwarding yet. Start it with{" "}
        <code className="font-mono">npm run controller</code>.
      </p>
    );
  }
  const off = data.find((f) => f.state === "off");
  return (
    <>
      {off && (
        <div
          role="alert"
          className="mb-4 rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900"
        >
          <p className="font-semibold">
            {showClusters ? `${off.clusterName}: ` : ""}
            {off.message}
          </p>
          <p className="mt-1">
            Nothing is watched or sent. Set <code className="font-mono">DD_API_KEY</code> (and{" "}
            <code className="font-mono">DD_SITE</code> or <code className="font-mono">DD_URL</code>) in the
            controller&apos;s environment and restart it.
          </p>
        </div>
      )}
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        {data.map((f) => (
          <Card
            key={`${f.clusterId}/${f.name}`}
            title={`${TITLES[f.name] ?? f.name}${showClusters ? ` · ${f.clusterName}` : ""}`}
            actions={<StateBadge forwarder={f} now={now} />}
          >
            <div data-testid={`forwarder-${f.name}`} data-cluster={f.clusterName}>
              <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm">
                <Field label="Intake">
                  <span className="break-all font-mono text-xs">{f.intakeUrl}</span>
                </Field>
                <Field label="Queue depth">
                  <span data-testid="queue-depth">{f.queueDepth}</span>
                </Field>
                <Field label={`Last heartbeat (${every(f.heartbeatSeconds)})`}>
                  {f.lastHeartbeatAt ? <RelativeTime iso={f.lastHeartbeatAt} /> : "none yet"}
                </Field>
                <Field label="Last send">
                  {f.lastSendAt ? <RelativeTime iso={f.lastSendAt} /> : "none yet"}
                </Field>
                <Field label="Objects tracked">{f.snapshots}</Field>
                <Field label="Reported">
                  <RelativeTime iso={f.updatedAt} /> by{" "}
                  <span className="font-mono text-xs">{f.controllerId}</span>
                </Field>
              </dl>
              {f.state !== "off" && (
                <div className="mt-3 text-sm">
                  <p className="text-xs text-slate-500">Watches</p>
                  <ul className="mt-1 flex flex-wrap gap-1" aria-label={`${TITLES[f.name]} active watches`}>
                    {f.activeWatches.map((w) => (
                      <li key={`${w.kind}/${w.namespace ?? ""}`}>
                        <Badge tone="info">{w.namespace ? `${w.kind} in ${w.namespace}` : w.kind}</Badge>
                      </li>
                    ))}
                    {f.activeWatches.length === 0 && <li className="text-slate-500">none</li>}
                  </ul>
                  {f.deniedWatches.length > 0 && (
                    <ul className="mt-2 space-y-1" aria-label={`${TITLES[f.name]} denied watches`}>
                      {f.deniedWatches.map((w) => (
                        <li
                          key={`${w.kind}/${w.namespace ?? ""}`}
                          className="rounded border border-rose-200 bg-rose-50 px-2 py-1 text-rose-900"
                        >
                          <span className="font-medium">
                            {w.namespace ? `${w.kind} in ${w.namespace}` : w.kind}:
                          </span>{" "}
                          {w.reason}
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              )}
            </div>
          </Card>
        ))}
      </div>
    </>
  );
}

/** A row the leader stopped refreshing (it crashed or lost its database) says so. */
function StateBadge({ forwarder, now }: { forwarder: ForwarderDto; now: number }) {
  const stale =
    forwarder.state !== "standby" && now - Date.parse(forwarder.updatedAt) > FORWARDER_STATUS_STALE_AFTER_MS;
  const look = STATE[stale ? "stale" : forwarder.state];
  return <Badge tone={look.tone}>{look.label}</Badge>;
}
