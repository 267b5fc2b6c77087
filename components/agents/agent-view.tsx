"use client";

import type { AgentDetailDto } from "@/server/queries/agents";
import type { RevisionDto } from "@/server/queries/revisions";
import type { ExperimentDto } from "@/server/queries/experiments";
import { PhaseBadge } from "@/components/experiments/experiment-badges";
import { ExperimentPanel } from "@/components/experiments/experiment-panel";
import { useExperiments } from "@/components/experiments/queries";
import { StartExperimentForm } from "@/components/experiments/start-experiment-form";
import { useRevisions } from "@/components/revisions/queries";
import { RevisionHistory } from "@/components/revisions/revision-history";
import { toYaml } from "@/components/revisions/spec-diff";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { useAgent } from "./queries";
import { RolloutPanel } from "./rollout-panel";

/** One DatadogAgent, live: its state, rollout, experiment, start form, spec and revision history. */
export function AgentView({
  initial,
}: {
  initial: { agent: AgentDetailDto; revisions: RevisionDto[]; experiments: ExperimentDto[] };
}) {
  const { key, clusterId } = initial.agent;
  const agent = useAgent(initial.agent);
  const revisions = useRevisions(clusterId, key, initial.revisions);
  const experiments = useExperiments(initial.experiments, { cluster: clusterId, agentKey: key });
  return (
    <div className="space-y-6">
      <Card>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-500">Experiment</dt>
          <dd>
            <PhaseBadge phase={agent.phase} reason={agent.terminationReason} />
          </dd>
          <dt className="text-slate-500">Current revision</dt>
          <dd className="font-mono" data-testid="current-revision">
            {agent.currentRevision ?? "—"}
          </dd>
          <dt className="text-slate-500">Previous revision</dt>
          <dd className="font-mono">{agent.previousRevision ?? "—"}</dd>
          <dt className="text-slate-500">Last change</dt>
          <dd>
            {agent.lastChange ?? "—"}
            {agent.lastChangeAt && (
              <span className="ml-2 text-slate-500">
                <RelativeTime iso={agent.lastChangeAt} />
              </span>
            )}
          </dd>
          <dt className="text-slate-500">Reconciled</dt>
          <dd>
            <RelativeTime iso={agent.reconciledAt} /> (generation {agent.generation})
            {agent.deleted && (
              <span className="ml-2">
                <Badge tone="neutral">deleted from the cluster</Badge>
              </span>
            )}
          </dd>
          {agent.renderError && (
            <>
              <dt className="text-slate-500">Workloads</dt>
              <dd className="text-rose-700">not applied: {agent.renderError}</dd>
            </>
          )}
          {agent.failing && !agent.renderError && (
            <>
              <dt className="text-slate-500">Agents</dt>
              <dd className="text-rose-700" data-testid="agent-failing" data-reason={agent.failing.reason}>
                {agent.failing.reason}: {agent.failing.message}
              </dd>
            </>
          )}
        </dl>
      </Card>
      {agent.ignoredFields.length > 0 && (
        <Card title="Not rendered by fleetdeck">
          <p className="mb-2 text-sm text-slate-700">
            fleetdeck renders part of the DatadogAgent spec (docs/experiments.md, &quot;What fleetdeck
            renders&quot;). These fields of this agent&apos;s spec have no effect on the agents it runs:
          </p>
          <ul className="flex flex-wrap gap-2" data-testid="ignored-fields">
            {agent.ignoredFields.map((field) => (
              <li key={field} className="rounded bg-amber-50 px-2 py-0.5 font-mono text-xs text-amber-900">
                {field}
              </li>
            ))}
          </ul>
        </Card>
      )}
      <RolloutPanel
        rollout={agent.rollout}
        state={agent.health?.state ?? "unknown"}
        updatedAt={agent.health?.updatedAt ?? null}
      />
      <ExperimentPanel agent={agent} experiments={experiments} revisions={revisions} />
      <StartExperimentForm agent={agent} />
      <Card title="Current spec">
        <pre
          data-testid="current-spec"
          className="max-h-96 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs"
        >
          {toYaml(agent.spec)}
        </pre>
      </Card>
      <RevisionHistory agent={agent} revisions={revisions} />
    </div>
  );
}
