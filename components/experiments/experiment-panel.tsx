"use client";

import { useState } from "react";
import { refusalOf } from "@/lib/access";
import { DEFAULT_EXPERIMENT_TIMEOUT_SECONDS, END_REASONS, endReasonOf, secondsLeft } from "@/lib/agents";
import { canEnd, canPromoteCandidate, refusal } from "@/lib/experiments";
import type { CandidateHealth } from "@/lib/rollout";
import { agentStatusOf } from "@/lib/read-model/agents";
import type { AgentDetailDto } from "@/server/queries/agents";
import type { ExperimentDto } from "@/server/queries/experiments";
import type { RevisionDto } from "@/server/queries/revisions";
import { promoteExperiment } from "@/server/actions/promote-experiment";
import { stopExperiment } from "@/server/actions/stop-experiment";
import { CommandDialog } from "@/components/commands/command-dialog";
import { SpecDiff } from "@/components/revisions/spec-diff";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { RelativeTime, useNow } from "@/components/ui/relative-time";
import { Badge, type Tone } from "@/components/ui/badge";
import { OutcomeBadge, PhaseBadge } from "./experiment-badges";

function formatDuration(seconds: number): string {
  const s = Math.max(0, seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** Live countdown to the automatic rollback. */
function Countdown({ startedAt, timeoutSeconds }: { startedAt: string | null; timeoutSeconds: number }) {
  const now = useNow();
  const left = secondsLeft(startedAt, timeoutSeconds, now);
  if (left === null) return <span className="text-slate-500">clock starts at the first reconcile</span>;
  return (
    <span data-testid="countdown" className="font-mono tabular-nums" aria-live="off">
      {left > 0 ? `${formatDuration(left)} left` : "timing out…"}
    </span>
  );
}

export function ExperimentPanel({
  agent,
  experiments,
  revisions,
}: {
  agent: AgentDetailDto;
  experiments: ExperimentDto[];
  revisions: RevisionDto[];
}) {
  // What the confirmation acts on, captured at click time: the dialog stays open (showing the
  // command's outcome) after the experiment it stopped or promoted has ended.
  const [confirm, setConfirm] = useState<{ action: "promote" | "stop"; id: string } | null>(null);
  const agentStatus = agentStatusOf(agent);
  const status = agent.experiment;
  const row = status?.id ? experiments.find((e) => e.experimentId === status.id) : experiments[0];
  const specOf = (name: string | undefined) => revisions.find((r) => r.name === name)?.spec;
  const confirmed = confirm ? experiments.find((e) => e.experimentId === confirm.id) : undefined;
  // The viewer's permission, then the controller's own rules (lib/experiments.ts), checked again
  // while the dialog is open; a promote also waits for a healthy candidate.
  const denied = refusalOf(agent.permission);
  const candidate = agent.rollout?.candidate ?? null;
  const endRefusal = (id: string, action: "promote" | "stop") =>
    denied ??
    refusal(canEnd(agentStatus, id, action)) ??
    (action === "promote" ? refusal(canPromoteCandidate(candidate)) : null);
  const blockedReason = confirm ? endRefusal(confirm.id, confirm.action) : null;
  const dialogs = confirm && (
    <>
      <CommandDialog
        open={confirm.action === "promote"}
        onClose={() => setConfirm(null)}
        title={`Promote experiment ${confirm.id}?`}
        confirmLabel="Promote"
        blockedReason={blockedReason}
        action={() => promoteExperiment(agent.clusterId, agent.key, confirm.id)}
      >
        <p className="mb-3">
          The candidate <span className="font-mono">{confirmed?.candidateRevision ?? "?"}</span> stays as the
          agent&apos;s configuration; the automatic rollback is cancelled.
        </p>
        <CandidateDiff experiment={confirmed} specOf={specOf} />
      </CommandDialog>
      <CommandDialog
        open={confirm.action === "stop"}
        onClose={() => setConfirm(null)}
        title={`Stop experiment ${confirm.id}?`}
        confirmLabel="Stop and roll back"
        danger
        blockedReason={blockedReason}
        action={() => stopExperiment(agent.clusterId, agent.key, confirm.id)}
      >
        <p className="mb-3">
          The agent is rolled back to the baseline{" "}
          <span className="font-mono">{confirmed?.baselineRevision ?? "?"}</span>: these changes are undone.
        </p>
        <CandidateDiff experiment={confirmed} specOf={specOf} reverse />
      </CommandDialog>
    </>
  );

  // The dialogs keep their place in the tree whichever card is shown, so they survive the end
  // of the experiment they act on.
  if (!status) {
    return (
      <>
        {dialogs}
        <Card title="Experiment">
          {row ? (
            <p className="text-sm text-slate-700" data-testid="last-experiment">
              Last experiment <span className="font-mono">{row.experimentId}</span>:{" "}
              <OutcomeBadge outcome={row.outcome} /> {row.reason}
              {row.endedAt && (
                <span className="ml-1 text-slate-500">
                  (<RelativeTime iso={row.endedAt} />)
                </span>
              )}
            </p>
          ) : (
            <p className="text-sm text-slate-600">No experiment has run on this agent yet.</p>
          )}
        </Card>
      </>
    );
  }

  const timeoutSeconds = status.timeoutSeconds ?? row?.timeoutSeconds ?? DEFAULT_EXPERIMENT_TIMEOUT_SECONDS;
  const running = status.phase === "running";
  const ended = endReasonOf(status);

  return (
    <>
      {dialogs}
      <Card
        title="Experiment"
        actions={
          status.id ? (
            <div className="flex gap-2">
              {(["promote", "stop"] as const).map((action) => {
                const reason = endRefusal(status.id!, action);
                return (
                  <Button
                    key={action}
                    variant={action === "promote" ? "primary" : "danger"}
                    disabled={reason !== null}
                    title={reason ?? undefined}
                    onClick={() => setConfirm({ action, id: status.id! })}
                  >
                    {action === "promote" ? "Promote" : "Stop"}
                  </Button>
                );
              })}
            </div>
          ) : undefined
        }
      >
        <dl className="mb-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-500">Phase</dt>
          <dd>
            <PhaseBadge phase={status.phase ?? "none"} reason={status.terminationReason} />
          </dd>
          <dt className="text-slate-500">Id</dt>
          <dd className="font-mono" data-testid="experiment-id">
            {status.id ?? "—"}
          </dd>
          {row && (
            <>
              <dt className="text-slate-500">Started by</dt>
              <dd>
                {row.actor} <span className="text-slate-500">({row.source})</span>
              </dd>
            </>
          )}
          {running && (
            <>
              <dt className="text-slate-500">Started</dt>
              <dd>{status.startedAt ? <RelativeTime iso={status.startedAt} /> : "not yet"}</dd>
              <dt className="text-slate-500">Automatic rollback</dt>
              <dd>
                <Countdown startedAt={status.startedAt ?? null} timeoutSeconds={timeoutSeconds} />{" "}
                <span className="text-slate-500">(timeout {formatDuration(timeoutSeconds)})</span>
              </dd>
            </>
          )}
          {running && candidate && candidate.experimentId === status.id && (
            <>
              <dt className="text-slate-500">Candidate</dt>
              <dd data-testid="candidate-health">
                <CandidateSummary candidate={candidate} />
              </dd>
            </>
          )}
          {status.ending && (
            <>
              <dt className="text-slate-500">Ending</dt>
              <dd data-testid="experiment-ending">
                {END_REASONS[status.ending].label}
                {row?.reason ? ` (${row.reason})` : ""}
              </dd>
            </>
          )}
          {ended && (
            <>
              <dt className="text-slate-500">Why</dt>
              <dd data-testid="experiment-reason" data-reason={ended}>
                {END_REASONS[ended].label}
                {row?.reason ? ` (${row.reason})` : ""}
              </dd>
            </>
          )}
        </dl>
        <CandidateDiff experiment={row} specOf={specOf} />
      </Card>
    </>
  );
}

const VERDICT_TONES: Record<CandidateHealth["state"], Tone> = {
  healthy: "good",
  progressing: "warn",
  unhealthy: "bad",
};

/** How far the candidate has rolled out, whether it is healthy, and what its gate does. */
function CandidateSummary({ candidate: c }: { candidate: CandidateHealth }) {
  const share = c.desired > 0 ? Math.min(100, Math.round((c.pods / c.desired) * 100)) : 0;
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-2">
        <span data-testid="candidate-state" data-state={c.state}>
          <Badge tone={VERDICT_TONES[c.state]}>{c.state}</Badge>
        </span>
        <span className="tabular-nums">
          rolled out to {c.pods} of {c.desired} pods ({share} %), {c.ready} ready
        </span>
      </div>
      <p className="text-xs text-slate-600">{c.summary}</p>
      <p className="text-xs text-slate-500">
        Health gate: more than {c.thresholdPercent} % of its pods unavailable for {c.graceSeconds} s{" "}
        {c.enabled ? "rolls it back" : "is reported only (automatic rollback off)"}
      </p>
    </div>
  );
}

/** Candidate vs baseline (or the reverse, for what a stop undoes), once both are in the history. */
function CandidateDiff({
  experiment,
  specOf,
  reverse = false,
}: {
  experiment: ExperimentDto | undefined;
  specOf: (name: string | undefined) => unknown;
  reverse?: boolean;
}) {
  const baseline = experiment?.baselineRevision;
  const candidate = experiment?.candidateRevision;
  const baselineSpec = specOf(baseline);
  const candidateSpec = specOf(candidate);
  if (baselineSpec === undefined || candidateSpec === undefined) {
    return <p className="text-sm text-slate-500">The candidate has not landed yet.</p>;
  }
  const sides = [
    { spec: baselineSpec, label: `baseline ${baseline}` },
    { spec: candidateSpec, label: `candidate ${candidate}` },
  ];
  const [from, to] = reverse ? [sides[1]!, sides[0]!] : [sides[0]!, sides[1]!];
  return <SpecDiff from={from.spec} to={to.spec} fromLabel={from.label} toLabel={to.label} />;
}
