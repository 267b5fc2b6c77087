"use client";

import { useQuery } from "@tanstack/react-query";
import type { CommandDto } from "@/server/queries/commands";
import { queryKeys } from "@/components/query-keys";

const FINAL = new Set(["applied", "rejected", "ignored"]);

/**
 * Follows a command from "requested" to its outcome. The live stream refetches it when the
 * controller records the outcome; a slow poll covers a stream that is down.
 */
export function useCommandStatus(id: number | null) {
  return useQuery({
    queryKey: queryKeys.command(id ?? 0),
    queryFn: async (): Promise<CommandDto> => {
      const res = await fetch(`/api/commands/${id}`, { cache: "no-store" });
      if (!res.ok) throw new Error(((await res.json()) as { error: string }).error);
      return res.json();
    },
    enabled: id !== null,
    staleTime: 0,
    refetchInterval: (query) => (query.state.data && FINAL.has(query.state.data.status) ? false : 5000),
  });
}

export function isFinal(status: string | undefined): boolean {
  return status !== undefined && FINAL.has(status);
}
