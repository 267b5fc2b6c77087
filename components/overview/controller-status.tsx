"use client";

import { controllerState, type ControllerState } from "@/lib/controller-status";
import type { ControllerDto } from "@/server/queries/controllers";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { RelativeTime, useNow } from "@/components/ui/relative-time";
import { Field } from "@/components/ui/field";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";
import { PingButton } from "./ping-button";

const STATE_LABEL: Record<ControllerState, { label: string; tone: Tone }> = {
  running: { label: "running", tone: "good" },
  stopped: { label: "stopped", tone: "neutral" },
  stale: { label: "not responding", tone: "bad" },
};

export function ControllerStatus({ initial }: { initial: ControllerDto[] }) {
  const now = useNow();
  const data = useLiveData(queryKeys.controllers, "/api/controllers", initial);
  const live = data.filter((c) => controllerState(c, now) === "running");
  const current = live.find((c) => c.isLeader) ?? live[0] ?? data[0];

  if (!current || live.length === 0) {
    return (
      <Card title="Controller">
        <div role="status" className="rounded-md border border-rose-200 bg-rose-50 p-4">
          <p className="font-semibold text-rose-900">Controller not running</p>
          <p className="mt-1 text-sm text-rose-800">
            {current ? (
              <>
                Last heartbeat from <code>{current.controllerId}</code>{" "}
                <RelativeTime iso={current.lastSeenAt} />. Nothing in the cluster is being reconciled and
                commands stay pending until it is back.
              </>
            ) : (
              <>No controller has reported to this database yet.</>
            )}{" "}
            Start it with <code className="font-mono">npm run controller</code>.
          </p>
        </div>
      </Card>
    );
  }

  return (
    <Card title="Controller" actions={<PingButton />}>
      <dl className="grid grid-cols-1 gap-x-8 gap-y-3 text-sm sm:grid-cols-2">
        <Field label="Kubernetes version">
          <span data-testid="kubernetes-version" className="font-mono">
            {current.kubernetesVersion}
          </span>
        </Field>
        <Field label="API server">
          <span className="font-mono">{current.apiServer}</span>
        </Field>
        <Field label="Cluster id (kube-system UID)">
          <span className="font-mono">{current.clusterId}</span>
        </Field>
        <Field label="Last heartbeat">
          <RelativeTime iso={current.lastSeenAt} />
        </Field>
      </dl>
      <table className="mt-5 w-full text-left text-sm">
        <caption className="sr-only">Controller processes</caption>
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
          {data.map((c) => {
            const state = STATE_LABEL[controllerState(c, now)];
            return (
              <tr key={c.controllerId} className="border-t border-slate-100">
                <td className="py-1.5 font-mono">{c.controllerId}</td>
                <td className="py-1.5">{c.isLeader ? "leader" : "standby"}</td>
                <td className="py-1.5">
                  <Badge tone={state.tone}>{state.label}</Badge>
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
    </Card>
  );
}
