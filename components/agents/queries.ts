"use client";

import type { AgentDetailDto, AgentSummaryDto } from "@/server/queries/agents";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys, withCluster } from "@/components/live/query-keys";

const segments = (key: string) => key.split("/").map(encodeURIComponent).join("/");

/** The API path of one agent of a cluster ("namespace/name"). */
export const agentPath = (clusterId: string, key: string) =>
  withCluster(`/api/agents/${segments(key)}`, clusterId);

/** The page of one agent: its URL names its cluster. */
export const agentPagePath = (clusterName: string, key: string) =>
  `/agents/${encodeURIComponent(clusterName)}/${segments(key)}`;

/** Live read models of the agents feature: refetched when the controller writes their topic. */
export function useAgents(initial: AgentSummaryDto[], cluster?: string) {
  return useLiveData(queryKeys.agents(cluster), withCluster("/api/agents", cluster), initial);
}

export function useAgent(initial: AgentDetailDto) {
  return useLiveData(
    queryKeys.agent(initial.clusterId, initial.key),
    agentPath(initial.clusterId, initial.key),
    initial,
  );
}
