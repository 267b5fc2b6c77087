"use client";

import type { AgentDetailDto, AgentSummaryDto } from "@/server/queries/agents";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";

/** The API path of one agent ("namespace/name"). */
export const agentPath = (key: string) => `/api/agents/${key.split("/").map(encodeURIComponent).join("/")}`;

/** Live read models of the agents feature: refetched when the controller writes their topic. */
export function useAgents(initial: AgentSummaryDto[]) {
  return useLiveData(queryKeys.agents, "/api/agents", initial);
}

export function useAgent(key: string, initial: AgentDetailDto) {
  return useLiveData(queryKeys.agent(key), agentPath(key), initial);
}
