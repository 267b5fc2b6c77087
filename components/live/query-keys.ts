import { TOPICS } from "@/lib/topics";

/** The whole fleet or one cluster (its display name, as in the page's URL). */
const scope = (cluster?: string) => cluster ?? "all";

/**
 * TanStack Query keys. Each starts with its change-feed topic, so the live stream refetches
 * exactly the queries of what changed (LiveUpdates invalidates by topic prefix), except the
 * fleet page's, which summarizes every topic (LiveUpdates refreshes it on any change).
 */
export const queryKeys = {
  fleet: ["fleet"] as const,
  /** The clusters still checking the person's access. */
  access: [TOPICS.access] as const,
  command: (id: number) => [TOPICS.commands, id] as const,
  audit: (filters: Record<string, string>) => [TOPICS.audit, filters] as const,
  spot: (cluster?: string) => [TOPICS.spot, scope(cluster)] as const,
  autoscalers: (cluster?: string) => [TOPICS.autoscaling, scope(cluster)] as const,
  agents: (cluster?: string) => [TOPICS.agents, scope(cluster)] as const,
  agent: (clusterId: string, key: string) => [TOPICS.agents, clusterId, key] as const,
  revisions: (clusterId: string, agentKey: string) => [TOPICS.revisions, clusterId, agentKey] as const,
  experiments: (filter: { cluster?: string; agentKey?: string } = {}) =>
    [TOPICS.experiments, scope(filter.cluster), filter.agentKey ?? "all"] as const,
  metadataSends: (filters: Record<string, string>) => [TOPICS.metadata, "sends", filters] as const,
  metadataCharts: (cluster?: string) => [TOPICS.metadata, "charts", scope(cluster)] as const,
  metadataForwarders: (cluster?: string) => [TOPICS.metadata, "forwarders", scope(cluster)] as const,
  /** A send never changes once written: not tied to the live topic. */
  metadataSend: (id: number) => ["metadata-send", id] as const,
};

/** `?cluster=<name>` for an API URL (with `&` when `url` already has a query). */
export function withCluster(url: string, cluster?: string): string {
  if (!cluster) return url;
  return `${url}${url.includes("?") ? "&" : "?"}cluster=${encodeURIComponent(cluster)}`;
}
