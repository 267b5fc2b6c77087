"use client";

import type { ExperimentDto } from "@/server/queries/experiments";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys, withCluster } from "@/components/live/query-keys";

/**
 * Every experiment, or one cluster's, or one agent's (cluster and key), newest first, refetched
 * when one starts or ends. `cluster` is a cluster's name or id.
 */
export function useExperiments(
  initial: ExperimentDto[],
  filter: { cluster?: string; agentKey?: string } = {},
) {
  const url = withCluster(
    filter.agentKey ? `/api/experiments?agent=${encodeURIComponent(filter.agentKey)}` : "/api/experiments",
    filter.cluster,
  );
  return useLiveData(queryKeys.experiments(filter), url, initial);
}
