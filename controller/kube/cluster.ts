// Who the cluster is: its id (the UID of kube-system, as Datadog names clusters), its display
// name in the fleet, and its version.
import { describeKubeError, type KubeClient } from "./client";
import { KubeConfigError } from "./kubeconfig";

export interface ClusterIdentity {
  /** UID of the kube-system namespace: stable for the life of the cluster (Datadog's cluster id). */
  clusterId: string;
  /** The display name in the fleet (FLEETDECK_CLUSTER_NAME, default the kubeconfig's context). */
  name: string;
  /** The name was configured (FLEETDECK_CLUSTER_NAME), not a default. */
  nameGiven?: boolean;
  kubernetesVersion: string;
  server: string;
}

/**
 * The display name: the one configured; else the kubeconfig's current context (what `kubectl`
 * users call the cluster); in a pod, which has no context, "cluster-" and the id's first part.
 */
export function clusterDisplayName(
  configured: string | undefined,
  context: string | undefined,
  clusterId: string,
) {
  if (configured) return configured;
  // Contexts may hold characters a page's URL cannot (EKS: "arn:aws:eks:…:cluster/prod").
  const fromContext = (context ?? "")
    .replace(/[^A-Za-z0-9._:@-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 63);
  if (fromContext && context !== "inClusterContext") return fromContext;
  return `cluster-${clusterId.slice(0, 8)}`;
}

export async function readClusterIdentity(client: KubeClient, name?: string): Promise<ClusterIdentity> {
  const version = await client.get<{ gitVersion: string }>("/version");
  const kubeSystem = await client.get<{ metadata?: { uid?: string } }>("/api/v1/namespaces/kube-system");
  const clusterId = kubeSystem.metadata?.uid ?? "";
  return {
    clusterId,
    name: clusterDisplayName(name, client.context, clusterId),
    nameGiven: Boolean(name),
    kubernetesVersion: version.gitVersion,
    server: client.server,
  };
}

/** Retries until the API server answers, so a controller started with its cluster can wait for it. */
export async function waitForClusterIdentity(
  client: KubeClient,
  name: string | undefined,
  timeoutMs: number,
  onRetry: (error: Error) => void,
): Promise<ClusterIdentity> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    try {
      return await readClusterIdentity(client, name);
    } catch (error) {
      const message = describeKubeError(error);
      if (Date.now() + delay > deadline) {
        throw new KubeConfigError(`cannot reach the Kubernetes API at ${client.server}: ${message}`);
      }
      onRetry(new Error(message));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
