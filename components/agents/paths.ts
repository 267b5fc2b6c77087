// Addresses of an agent: its page (whose URL names its cluster) and its API route. A plain
// module, so server pages and client components both use it.
import { withCluster } from "@/components/live/query-keys";

const segments = (key: string) => key.split("/").map(encodeURIComponent).join("/");

/** The API path of one agent of a cluster ("namespace/name"). */
export const agentPath = (clusterId: string, key: string) =>
  withCluster(`/api/agents/${segments(key)}`, clusterId);

/** The page of one agent: /agents/<cluster>/<namespace>/<name>. */
export const agentPagePath = (clusterName: string, key: string) =>
  `/agents/${encodeURIComponent(clusterName)}/${segments(key)}`;
