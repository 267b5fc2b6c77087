"use client";

import Link from "next/link";
import type { AttentionItem, AttentionKind } from "@/components/lib/attention";
import { agentPagePath } from "@/components/agents/paths";
import { fleetExperimentPath } from "@/components/fleet-experiments/paths";
import { withCluster } from "@/components/live/query-keys";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";

const KIND: Record<AttentionKind, { label: string; tone: Tone; act: string }> = {
  "fleet-experiment-halted": {
    label: "fleet experiment halted",
    tone: "bad",
    act: "see each cluster's restore",
  },
  "controller-not-reporting": { label: "controller not reporting", tone: "bad", act: "see the cluster" },
  "experiment-unhealthy": { label: "unhealthy candidate", tone: "bad", act: "stop or let it roll back" },
  "agent-unhealthy": { label: "unhealthy agents", tone: "bad", act: "see the failing pods" },
  "forwarder-failing": { label: "metadata forwarding failing", tone: "bad", act: "see the sends" },
  "authorization-off": {
    label: "per-user authorization off",
    tone: "bad",
    act: "set FLEETDECK_AUTHZ=kubernetes",
  },
  "experiment-timeout": { label: "experiment near its timeout", tone: "warn", act: "promote or stop" },
  "spot-fallback": { label: "spot fallback", tone: "warn", act: "see the workload" },
  "fleet-experiment-approval": {
    label: "fleet experiment waits for approval",
    tone: "warn",
    act: "approve the next wave",
  },
};
const ORDER = Object.keys(KIND) as AttentionKind[];

/** Where to act on an item: the agent's page, the cluster's Metadata or Autoscaling page, its card. */
function placeOf(item: AttentionItem): string {
  switch (item.kind) {
    case "agent-unhealthy":
    case "experiment-unhealthy":
    case "experiment-timeout":
      return agentPagePath(item.clusterName, item.subject);
    case "forwarder-failing":
      return withCluster("/metadata", item.clusterName);
    case "spot-fallback":
      return withCluster("/autoscaling", item.clusterName);
    case "controller-not-reporting":
    case "authorization-off":
      return `#cluster-${encodeURIComponent(item.clusterName)}`;
    case "fleet-experiment-halted":
    case "fleet-experiment-approval":
      return fleetExperimentPath(item.subject);
  }
}

/** The fleet page's lead: what needs attention across clusters, worst first, each a link to act. */
export function NeedsAttention({ items, showClusters }: { items: AttentionItem[]; showClusters: boolean }) {
  const sorted = [...items].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  return (
    <Card title="Needs attention">
      {sorted.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="attention-none">
          Nothing: every agent runs, no experiment is failing or near its timeout, forwarding works, every
          controller reports and every cluster authorizes commands per user.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Needs attention">
          {sorted.map((item) => {
            const kind = KIND[item.kind];
            return (
              <li
                key={`${item.kind} ${item.clusterId} ${item.subject}`}
                className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-2 text-sm"
                data-testid="attention-item"
                data-kind={item.kind}
              >
                <Badge tone={kind.tone}>{kind.label}</Badge>
                <Link href={placeOf(item)} className="font-medium text-sky-700 hover:underline">
                  {showClusters && item.subject && item.clusterName ? `${item.clusterName}: ` : ""}
                  {item.subject || item.clusterName}
                </Link>
                <span className="text-slate-700">{item.detail}</span>
                <span className="text-xs text-slate-500">{kind.act}</span>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
