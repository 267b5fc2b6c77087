"use client";

import { useQuery } from "@tanstack/react-query";
import { isFinalStatus } from "@/lib/commands";
import type { CommandDto } from "@/server/queries/commands";
import { fetchJson } from "@/components/live/fetch-json";
import { queryKeys } from "@/components/live/query-keys";

/**
 * Follows a command from "requested" to its outcome. The live stream refetches it when the
 * controller records the outcome; a slow poll covers a stream that is down.
 */
export function useCommandStatus(id: number | null) {
  return useQuery({
    queryKey: queryKeys.command(id ?? 0),
    queryFn: () => fetchJson<CommandDto>(`/api/commands/${id}`),
    enabled: id !== null,
    staleTime: 0,
    refetchInterval: (query) => (isFinalStatus(query.state.data?.status) ? false : 5000),
  });
}
