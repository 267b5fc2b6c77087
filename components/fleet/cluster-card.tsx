"use client";

import type { AuthorizationMode } from "@/components/lib/attention";
import type { ControllerState } from "@/lib/controller-status";
import { clusterControllers, type ClusterReport, type ForwarderHealth } from "@/components/lib/fleet";
import type { ClusterCardDto } from "@/server/queries/fleet";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { RelativeTime, useNow } from "@/components/ui/relative-time";
import { PingButton } from "./ping-button";

const REPORT: Record<ClusterReport, { label: string; tone: Tone }> = {
  reporting: { label: "reporting", tone: "good" },
  "not-reporting": { label: "not reporting", tone: "bad" },
  never: { label: "no controller yet", tone: "warn" },
};

const PROCESS_STATE: Record<ControllerState, { label: string; tone: Tone }> = {
  running: { label: "running", tone: "good" },
  stopped: { label: "stopped", tone: "neutral" },
  stale: { label: "not responding", tone: "bad" },
};

const FORWARDING: Record<ForwarderHealth, { label: string; tone: Tone }> = {
  forwarding: { label: "forwarding", tone: "good" },
  failing: { label: "failing", tone: "bad" },
  off: { label: "off", tone: "warn" },
  standby: { label: "standby", tone: "neutral" },
  unknown: { label: "not reported", tone: "neutral" },
};

const AUTHORIZATION: Record<AuthorizationMode | "unknown", { label: string; tone: Tone }> = {
  kubernetes: { label: "on: Kubernetes RBAC", tone: "good" },
  none: { label: "off", tone: "bad" },
  unknown: { label: "not reported", tone: "neutral" },
};

/**
 * One cluster of the fleet: its controllers (leader, standby, state) and what runs in it.
 * Whether they report is judged here, against the page's clock: a crashed controller sends
 * nothing that would refresh the page.
 */
export function ClusterCard({ cluster }: { cluster: ClusterCardDto }) {
  const now = useNow();
  const {
    report: state,
    leader,
    standbys,
    lastHeartbeatAt,
    states,
  } = clusterControllers(cluster.controllers, now);
  const report = REPORT[state];
  const lastSeen = [...cluster.controllers].sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt))[0];
  const forwarding = FORWARDING[cluster.forwarding.health];
  const authorization = AUTHORIZATION[cluster.authorization ?? "unknown"];
  return (
    <div
      id={`cluster-${encodeURIComponent(cluster.name)}`}
      data-testid="cluster-card"
      data-cluster={cluster.name}
      data-report={state}
    >
      <Card
        title={
          <span className="flex items-center gap-2">
            <span className="text-base">{cluster.name}</span>
            <Badge tone={report.tone}>{report.label}</Badge>
          </span>
        }
        actions={<PingButton clusterId={cluster.id} />}
      >
        {state !== "reporting" && (
          <div role="status" className="mb-4 rounded-md border border-rose-200 bg-rose-50 p-4">
            <p className="font-semibold text-rose-900">Controller not running</p>
            <p className="mt-1 text-sm text-rose-800">
              {lastSeen ? (
                <>
                  Last heartbeat from <code>{lastSeen.controllerId}</code>{" "}
                  <RelativeTime iso={lastSeen.lastSeenAt} />. No controller is reporting in {cluster.name}:
                  nothing there is reconciled and its commands stay pending until one is back.
                </>
              ) : (
                <>No controller of {cluster.name} has reported yet.</>
              )}{" "}
              Start it with <code className="font-mono">npm run controller</code>.
            </p>
          </div>
        )}
        <dl className="grid grid-cols-1 gap-x-8 gap-y-3 text-sm sm:grid-cols-2 xl:grid-cols-4">
          <Field label="Kubernetes version">
            <span data-testid="kubernetes-version" className="font-mono">
              {cluster.kubernetesVersion}
            </span>
          </Field>
          <Field label="API server">
            <span className="break-all font-mono">{cluster.apiServer}</span>
          </Field>
          <Field label="Cluster id (kube-system UID)">
            <span className="break-all font-mono">{cluster.id}</span>
          </Field>
          <Field label="Labels">
            <span data-testid="cluster-labels" className="flex flex-wrap gap-1">
              {Object.keys(cluster.labels).length === 0 ? (
                <span className="text-slate-500">none</span>
              ) : (
                Object.entries(cluster.labels)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([key, value]) => (
                    <Badge key={key} tone="info">
                      <span className="font-mono">
                        {key}={value}
                      </span>
                    </Badge>
                  ))
              )}
            </span>
          </Field>
          <Field label="Last heartbeat">
            {lastHeartbeatAt ? <RelativeTime iso={lastHeartbeatAt} /> : "never"}
          </Field>
          <Field label="Leader">
            <span data-testid="leader" className="font-mono">
              {leader ? `${leader.controllerId} (${leader.version})` : "none"}
            </span>
          </Field>
          <Field label="Standby">
            <span data-testid="standby" className="font-mono">
              {standbys.map((s) => s.controllerId).join(", ") || "none"}
            </span>
          </Field>
          <Field label="Per-user authorization">
            <span data-testid="authorization" data-mode={cluster.authorization ?? "unknown"}>
              <Badge tone={authorization.tone}>{authorization.label}</Badge>
            </span>
            {cluster.authorization === "none" && (
              <span className="ml-2 text-xs text-rose-700">FLEETDECK_AUTHZ=none: RBAC is not asked</span>
            )}
          </Field>
          <Field label="Agents">
            <a
              className="text-sky-700 hover:underline"
              href={`/agents?cluster=${encodeURIComponent(cluster.name)}`}
            >
              <span data-testid="agents">{cluster.agents}</span> DatadogAgents
            </a>
          </Field>
          <Field label="Running experiments">
            <span data-testid="running-experiments">{cluster.runningExperiments}</span>
          </Field>
          <Field label="Metadata forwarding">
            <Badge tone={forwarding.tone}>{forwarding.label}</Badge>
            {cluster.forwarding.failedRecently > 0 && (
              <span className="ml-2 text-xs text-rose-700">
                {cluster.forwarding.failedRecently} failed in 10 min
              </span>
            )}
          </Field>
          <Field label="Spot fallbacks">
            <span data-testid="spot-fallbacks">{cluster.spot.fallbacks}</span>
            <span className="text-slate-500"> of {cluster.spot.workloads} spot workloads</span>
          </Field>
          <Field label="Autoscaling gate">
            {!cluster.gate ? (
              "not reported"
            ) : !cluster.gate.workloadEnabled ? (
              <Badge tone="neutral">autoscaling off</Badge>
            ) : cluster.gate.open ? (
              <span>
                <Badge tone="good">open</Badge>{" "}
                {cluster.gate.openedBy && (
                  <span className="text-xs text-slate-500">by {cluster.gate.openedBy}</span>
                )}
              </span>
            ) : (
              <Badge tone="info">closed</Badge>
            )}
          </Field>
        </dl>
        {cluster.controllers.length > 0 && (
          <table className="mt-5 w-full text-left text-sm">
            <caption className="sr-only">Controller processes of {cluster.name}</caption>
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1 font-medium">Process</th>
                <th className="py-1 font-medium">Role</th>
                <th className="py-1 font-medium">State</th>
                <th className="py-1 font-medium">Version</th>
                <th className="py-1 font-medium">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {cluster.controllers.map((c) => {
                const processState = states.get(c.controllerId) ?? "stale";
                const look = PROCESS_STATE[processState];
                return (
                  <tr key={c.controllerId} className="border-t border-slate-100" data-testid="controller-row">
                    <td className="py-1.5 font-mono">{c.controllerId}</td>
                    <td className="py-1.5">
                      {c === leader ? "leader" : processState === "running" ? "standby" : "—"}
                    </td>
                    <td className="py-1.5">
                      <Badge tone={look.tone}>{look.label}</Badge>
                    </td>
                    <td className="py-1.5">{c.version}</td>
                    <td className="py-1.5">
                      <RelativeTime iso={c.lastSeenAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
