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
  autoscalers: [TOPICS.autoscaling] as const,
  agents: [TOPICS.agents] as const,
  agent: (key: string) => [TOPICS.agents, key] as const,
  revisions: (agentKey: string) => [TOPICS.revisions, agentKey] as const,
  experiments: (agentKey?: string) => [TOPICS.experiments, agentKey ?? "all"] as const,
  metadataSends: (filters: Record<string, string>) => [TOPICS.metadata, "sends", filters] as const,
  metadataCharts: [TOPICS.metadata, "charts"] as const,
  metadataForwarders: [TOPICS.metadata, "forwarders"] as const,
  /** A send never changes once written: not tied to the live topic. */
  metadataSend: (id: number) => ["metadata-send", id] as const,
};
