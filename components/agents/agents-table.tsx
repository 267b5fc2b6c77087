"use client";

import Link from "next/link";
import type { AgentHealthDto, AgentSummaryDto } from "@/server/queries/agents";
import { EmptyState, Table } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/relative-time";
import { Badge } from "@/components/ui/badge";
import { PhaseBadge } from "@/components/experiments/experiment-badges";
import { useFleet } from "@/components/fleet/fleet-context";
import { agentPagePath } from "./paths";
import { useAgents } from "./queries";
import { RolloutStateBadge, shortRevision } from "./rollout-badges";

/** Every agent of the fleet (or of the cluster filtered on), with its cluster when there are several. */
export function AgentsTable({ initial, cluster }: { initial: AgentSummaryDto[]; cluster?: string }) {
  const data = useAgents(initial, cluster);
  const { showClusters } = useFleet();
  if (data.length === 0) {
    return (
      <EmptyState>
        No DatadogAgent seen yet. Create one (e.g.{" "}
        <code>kubectl apply -f config/samples/datadogagent.yaml</code>) and it appears here once the
        controller has reconciled it.
      </EmptyState>
    );
  }
  return (
    <Table
      caption="DatadogAgents"
      columns={[
        ...(showClusters ? ["Cluster"] : []),
        "Agent",
        "Health",
        "Experiment",
        "Current revision",
        "Last change",
      ]}
    >
      {data.map((agent) => (
        <tr
          key={`${agent.clusterId}/${agent.key}`}
          className="border-t border-slate-100 align-top"
          data-testid="agent-row"
          data-key={agent.key}
          data-cluster={agent.clusterName}
        >
          {showClusters && <td className="px-3 py-2 text-slate-700">{agent.clusterName}</td>}
          <td className="px-3 py-2">
            <Link
              href={agentPagePath(agent.clusterName, agent.key)}
              className="font-medium text-sky-700 hover:underline"
            >
              {agent.name}
            </Link>
            <span className="ml-2 text-xs text-slate-500">{agent.namespace}</span>
            {agent.deleted && (
              <span className="ml-2">
                <Badge tone="neutral">deleted</Badge>
              </span>
            )}
            {agent.renderError && (
              <span className="ml-2" title={agent.renderError}>
                <Badge tone="bad">render failed</Badge>
              </span>
            )}
            {agent.failing && !agent.renderError && (
              <span className="ml-2" title={agent.failing.message} data-testid="agent-failing">
                <Badge tone="bad">{agent.failing.reason}</Badge>
              </span>
            )}
            {agent.ignoredFields.length > 0 && (
              <span
                className="ml-2"
                title={`not rendered by fleetdeck: ${agent.ignoredFields.join(", ")}`}
                data-testid="ignored-fields-count"
              >
                <Badge tone="warn">
                  {agent.ignoredFields.length} field{agent.ignoredFields.length === 1 ? "" : "s"} not rendered
                </Badge>
              </span>
            )}
          </td>
          <td className="px-3 py-2" data-testid="agent-health">
            <HealthCell health={agent.health} />
          </td>
          <td className="px-3 py-2">
            <PhaseBadge phase={agent.phase} reason={agent.terminationReason} />
            {agent.experimentId && (
              <span className="ml-2 font-mono text-xs text-slate-600">{agent.experimentId}</span>
            )}
          </td>
          <td className="px-3 py-2 font-mono text-xs">{agent.currentRevision ?? "—"}</td>
          <td className="px-3 py-2 text-slate-700">
            {agent.lastChange ?? "—"}
            {agent.lastChangeAt && (
              <span className="ml-2 text-xs text-slate-500">
                <RelativeTime iso={agent.lastChangeAt} />
              </span>
            )}
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** Ready/desired agent pods, failing pods, the revision mix and node coverage of one agent. */
function HealthCell({ health }: { health: AgentHealthDto | null }) {
  if (!health) return <RolloutStateBadge state="unknown" />;
  return (
    <div className="space-y-0.5">
      <div className="flex flex-wrap items-center gap-2">
        <RolloutStateBadge state={health.state} />
        <span className="tabular-nums text-slate-700">
          {health.ready}/{health.desired} ready
        </span>
        {health.failingPods > 0 && (
          <span className="text-rose-700">
            {health.failingPods} pod{health.failingPods === 1 ? "" : "s"} not ready
          </span>
        )}
      </div>
      {health.revisions.length > 1 && (
        <div className="font-mono text-xs text-slate-600" title="agent pods per revision">
          {health.revisions.map((r) => `${shortRevision(r.revision)} ×${r.pods}`).join(", ")}
        </div>
      )}
      {health.covered < health.nodes && (
        <div className="text-xs text-amber-800">
          runs on {health.covered} of {health.nodes} nodes
        </div>
      )}
    </div>
  );
}
