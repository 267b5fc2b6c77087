"use client";

import type { AgentDetailDto, AgentSummaryDto } from "@/server/queries/agents";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys, withCluster } from "@/components/live/query-keys";
import { agentPath } from "./paths";

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
