"use client";

import type { ExperimentDto } from "@/server/queries/experiments";
import { useLiveData } from "@/components/live/use-live-data";
import { queryKeys } from "@/components/live/query-keys";

/** Every experiment, or one agent's, newest first, refetched when one starts or ends. */
export function useExperiments(initial: ExperimentDto[], agentKey?: string) {
  const url = agentKey ? `/api/experiments?agent=${encodeURIComponent(agentKey)}` : "/api/experiments";
  return useLiveData(queryKeys.experiments(agentKey), url, initial);
}
