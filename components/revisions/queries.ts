"use client";

import type { RevisionDto } from "@/server/queries/revisions";
import { agentPath } from "@/components/agents/paths";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";

/** An agent's revision history, newest first, refetched when a revision is recorded. */
export function useRevisions(clusterId: string, agentKey: string, initial: RevisionDto[]) {
  const [path, query] = agentPath(clusterId, agentKey).split("?");
  return useLiveData(queryKeys.revisions(clusterId, agentKey), `${path}/revisions?${query}`, initial);
}
