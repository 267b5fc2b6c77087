"use client";

import { useState, useTransition } from "react";
import { stringify } from "yaml";
import { fleetRequestRefusal, type FleetRequest } from "@/lib/fleet-experiments";
import type { FleetExperimentDto, FleetTargetDto } from "@/server/queries/fleet-experiments";
import { requestFleetChange } from "@/server/actions/request-fleet-change";
import { queryKeys } from "@/components/live/query-keys";
import { useLiveData } from "@/components/live/use-live-data";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { RelativeTime, useNow } from "@/components/ui/relative-time";
import { FleetPhaseBadge, TargetStateBadge } from "./badges";

type WaveStatus = "passed" | "under way" | "waiting for approval" | "not started" | "halted" | "paused";

function waveStatus(fx: FleetExperimentDto, index: number, targets: FleetTargetDto[]): WaveStatus {
  if (targets.length > 0 && targets.every((t) => t.state === "passed")) return "passed";
  if (fx.phase === "halting" || fx.phase === "halted") {
    return targets.some((t) => t.state !== "not-reached" && t.state !== "waiting") ? "halted" : "not started";
  }
  if (fx.phase === "promoted" || index + 1 < fx.wave) return "passed";
  if (index + 1 > fx.wave) return "not started";
  if (fx.phase === "waiting-approval") return "waiting for approval";
  return fx.phase === "paused" ? "paused" : "under way";
}

const WAVE_TONE: Record<WaveStatus, Tone> = {
  passed: "good",
  "under way": "info",
  "waiting for approval": "warn",
  paused: "warn",
  "not started": "neutral",
  halted: "bad",
};

/** A fleet experiment, live: its phase, what to do, its waves as a timeline, each cluster's state. */
export function FleetExperimentView({ initial }: { initial: FleetExperimentDto }) {
  const fx = useLiveData(
    queryKeys.fleetExperiment(initial.name),
    `/api/fleet-experiments/${encodeURIComponent(initial.name)}`,
    initial,
  );
  const now = useNow();
  const driverUp = fx.driver && now - new Date(fx.driver.renewedAt).getTime() < fx.driver.durationMs;
  return (
    <div className="space-y-6">
      <Card
        title={
          <span className="flex items-center gap-2">
            Fleet experiment <FleetPhaseBadge phase={fx.phase} />
          </span>
        }
      >
        {fx.haltCause && (
          <div
            role="status"
            className="mb-4 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900"
            data-testid="halt-cause"
          >
            <p className="font-semibold">Halted: {fx.haltCause}</p>
            <p className="mt-1 text-rose-800">
              {fx.phase === "halting"
                ? "Every cluster it touched is being put back to its baseline revision; each is confirmed below."
                : "Every cluster it touched was put back (each confirmed below), or is unreachable and reverts by its own timeout."}
            </p>
          </div>
        )}
        <dl className="grid grid-cols-1 gap-x-8 gap-y-3 text-sm sm:grid-cols-2 xl:grid-cols-4">
          <Field label="Wave">
            {fx.wave} of {fx.waves}
          </Field>
          <Field label="Started by">
            {fx.actor} <RelativeTime iso={fx.createdAt} />
          </Field>
          <Field label="DatadogAgents">
            <span className="font-mono">{fx.spec.agents?.join(", ") ?? fx.spec.agentSelector}</span>
          </Field>
          <Field label="Fleet driver">
            {driverUp ? (
              <span data-testid="fleet-driver">
                <span className="font-mono">{fx.driver!.holder}</span> leads
              </span>
            ) : (
              <span data-testid="fleet-driver" className="text-rose-700">
                no fleet driver is running: nothing advances until one does (npm run fleet-driver)
              </span>
            )}
          </Field>
        </dl>
        <details className="mt-4 text-sm">
          <summary className="cursor-pointer font-medium text-slate-700">Candidate change</summary>
          <pre className="mt-2 overflow-x-auto rounded-md bg-slate-50 p-2 font-mono text-xs">
            {stringify(fx.spec.config)}
          </pre>
        </details>
        <Controls fx={fx} />
      </Card>

      <ol className="grid gap-4 lg:grid-cols-[repeat(auto-fit,minmax(18rem,1fr))]" aria-label="Waves">
        {fx.plan.waves.map((wave, i) => {
          const targets = fx.targets.filter((t) => t.wave === i);
          const status = waveStatus(fx, i, targets);
          return (
            <li key={i} data-testid="fleet-wave" data-wave={i + 1} data-status={status}>
              <Card
                title={
                  <span className="flex flex-wrap items-center gap-2">
                    Wave {i + 1} <Badge tone={WAVE_TONE[status]}>{status}</Badge>
                  </span>
                }
              >
                <p className="mb-2 text-xs text-slate-500">
                  at most {wave.maxConcurrent} at once · bake {wave.bakeSeconds} s ·{" "}
                  {i === 0
                    ? "started on confirmation"
                    : wave.approval === "manual"
                      ? "starts on approval"
                      : "starts by itself"}
                </p>
                <ul className="space-y-2">
                  {targets.map((t) => (
                    <TargetItem
                      key={`${t.clusterId} ${t.agentKey}`}
                      target={t}
                      showAgent={fx.plan.waves.some((w) => w.clusters.some((c) => c.agents.length > 1))}
                    />
                  ))}
                </ul>
              </Card>
            </li>
          );
        })}
      </ol>

      {fx.plan.leftOut.length > 0 && (
        <Card title="Clusters left out when it started">
          <ul className="space-y-1 text-sm">
            {fx.plan.leftOut.map((l) => (
              <li key={l.clusterId}>
                <span className="font-medium">{l.clusterName}</span>{" "}
                <span className="text-slate-600">
                  ({l.reason}): {l.detail}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}

      <Card title="Notifications">
        {fx.notifications.length === 0 ? (
          <p className="text-sm text-slate-600">None yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" aria-label="Notifications">
            {fx.notifications.map((n) => (
              <li
                key={n.id}
                className="flex flex-wrap items-baseline gap-x-3 py-1.5"
                data-testid="fleet-notification"
                data-event={n.event}
                data-status={n.status}
              >
                <Badge tone={n.status === "sent" ? "good" : n.status === "failed" ? "bad" : "neutral"}>
                  {n.status}
                </Badge>
                <span className="font-medium">{n.event}</span>
                <span className="text-slate-700">{n.text}</span>
                {n.lastError && n.status !== "sent" && (
                  <span className="text-xs text-slate-500">{n.lastError}</span>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function TargetItem({ target: t, showAgent }: { target: FleetTargetDto; showAgent: boolean }) {
  return (
    <li
      className="rounded-md border border-slate-100 p-2 text-sm"
      data-testid="fleet-target"
      data-cluster={t.clusterName}
      data-agent={t.agentKey}
      data-state={t.state}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{t.clusterName}</span>
        {showAgent && <span className="font-mono text-xs text-slate-500">{t.agentKey}</span>}
        <TargetStateBadge state={t.state} />
        {t.restoredAt && (
          <span className="text-xs text-emerald-700" data-testid="restore-confirmed">
            restore confirmed <RelativeTime iso={t.restoredAt} />
          </span>
        )}
      </div>
      <p className="mt-1 text-xs text-slate-700" data-testid="target-detail">
        {t.detail}
      </p>
      {t.failure && t.failure !== t.detail && (
        <p className="mt-1 text-xs text-rose-700" data-testid="target-failure">
          failed: {t.failure}
        </p>
      )}
      {t.candidateRevision && (
        <p className="mt-1 font-mono text-xs text-slate-500">
          {t.baselineRevision} → {t.candidateRevision}
        </p>
      )}
      {t.commands.length > 0 && (
        <p className="mt-1 text-xs text-slate-500">
          {t.commands.map((c) => `${c.step} #${c.id} ${c.status}`).join(" · ")}
        </p>
      )}
    </li>
  );
}

const LABELS: Record<FleetRequest, string> = {
  approve: "Approve the next wave",
  advance: "Advance: end this wave's bake now",
  pause: "Pause",
  resume: "Resume",
  abort: "Abort and restore everywhere",
};

/** A person's requests, each enabled in the phases that allow it (lib/fleet-experiments.ts). */
function Controls({ fx }: { fx: FleetExperimentDto }) {
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirmAbort, setConfirmAbort] = useState(false);
  const send = (request: FleetRequest) =>
    startTransition(async () => {
      setMessage(null);
      try {
        const result = await requestFleetChange(fx.name, request);
        setMessage(
          result.ok
            ? { ok: true, text: `${request}: now ${result.phase}` }
            : { ok: false, text: result.error },
        );
      } catch {
        setMessage({ ok: false, text: "The request did not reach the dashboard's server: reload the page." });
      }
      setConfirmAbort(false);
    });
  const shown: FleetRequest[] = ["approve", "advance", "pause", "resume", "abort"];
  if (fx.phase === "halted" || fx.phase === "promoted") return null;
  return (
    <div className="mt-4 flex flex-wrap items-center gap-2">
      {shown.map((request) => {
        const refusal = fleetRequestRefusal(request, fx.phase);
        if (refusal) return null;
        if (request === "abort") {
          return confirmAbort ? (
            <span key={request} className="flex items-center gap-2">
              <Button variant="danger" disabled={pending} onClick={() => send("abort")}>
                Yes, abort and restore every cluster
              </Button>
              <Button onClick={() => setConfirmAbort(false)}>Keep it running</Button>
            </span>
          ) : (
            <Button key={request} variant="danger" disabled={pending} onClick={() => setConfirmAbort(true)}>
              {LABELS.abort}
            </Button>
          );
        }
        return (
          <Button
            key={request}
            variant={request === "approve" ? "primary" : "secondary"}
            disabled={pending}
            onClick={() => send(request)}
          >
            {request === "approve" ? `Approve wave ${fx.wave}` : LABELS[request]}
          </Button>
        );
      })}
      {message && (
        <p
          role="status"
          className={`text-sm ${message.ok ? "text-slate-700" : "text-rose-700"}`}
          data-testid="fleet-request-status"
        >
          {message.text}
        </p>
      )}
    </div>
  );
}
