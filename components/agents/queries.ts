"use client";

import { useQuery } from "@tanstack/react-query";
import { queryKeys } from "@/components/query-keys";
import type { AgentDetailDto, AgentSummaryDto, RevisionDto } from "@/server/queries/agents";
import type { ExperimentDto } from "@/server/queries/experiments";

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json() as Promise<T>;
}

const agentPath = (key: string) => `/api/agents/${key.split("/").map(encodeURIComponent).join("/")}`;

/** Live read models of the agents feature: refetched when the controller writes their topic. */
export function useAgents(initial: AgentSummaryDto[]) {
  return useQuery({
    queryKey: queryKeys.agents,
    queryFn: () => getJson<AgentSummaryDto[]>("/api/agents"),
    initialData: initial,
  });
}

export function useAgent(key: string, initial: AgentDetailDto) {
  return useQuery({
    queryKey: queryKeys.agent(key),
    queryFn: () => getJson<AgentDetailDto>(agentPath(key)),
    initialData: initial,
  });
}

export function useRevisions(key: string, initial: RevisionDto[]) {
  return useQuery({
    queryKey: queryKeys.revisions(key),
    queryFn: () => getJson<RevisionDto[]>(`${agentPath(key)}/revisions`),
    initialData: initial,
  });
}

export function useExperiments(initial: ExperimentDto[], agentKey?: string) {
  return useQuery({
    queryKey: queryKeys.experiments(agentKey),
    queryFn: () =>
      getJson<ExperimentDto[]>(
        agentKey ? `/api/experiments?agent=${encodeURIComponent(agentKey)}` : "/api/experiments",
      ),
    initialData: initial,
  });
}
