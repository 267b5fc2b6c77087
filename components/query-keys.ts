import { TOPICS } from "@/lib/topics";

/**
 * TanStack Query keys. Each starts with its change-feed topic, so the live stream refetches
 * exactly the queries of what changed (LiveUpdates invalidates by topic prefix).
 */
export const queryKeys = {
  controllers: [TOPICS.controller] as const,
  command: (id: number) => [TOPICS.commands, id] as const,
  audit: (filters: Record<string, string>) => [TOPICS.audit, filters] as const,
  spot: [TOPICS.spot] as const,
  metadataSends: (filters: Record<string, string>) => [TOPICS.metadata, "sends", filters] as const,
  metadataCharts: [TOPICS.metadata, "charts"] as const,
  metadataForwarders: [TOPICS.metadata, "forwarders"] as const,
  /** A send never changes once written: not tied to the live topic. */
  metadataSend: (id: number) => ["metadata-send", id] as const,
};
