// Who the cluster is: its id (the UID of kube-system, as Datadog names clusters) and version.
import { describeKubeError, type KubeClient } from "./client";
import { KubeConfigError } from "./kubeconfig";

export interface ClusterIdentity {
  /** UID of the kube-system namespace: stable for the life of the cluster (Datadog's cluster id). */
  clusterId: string;
  kubernetesVersion: string;
  server: string;
}

export async function readClusterIdentity(client: KubeClient): Promise<ClusterIdentity> {
  const version = await client.get<{ gitVersion: string }>("/version");
  const kubeSystem = await client.get<{ metadata?: { uid?: string } }>("/api/v1/namespaces/kube-system");
  return {
    clusterId: kubeSystem.metadata?.uid ?? "",
    kubernetesVersion: version.gitVersion,
    server: client.server,
  };
}

/** Retries until the API server answers, so a controller started with its cluster can wait for it. */
export async function waitForClusterIdentity(
  client: KubeClient,
  timeoutMs: number,
  onRetry: (error: Error) => void,
): Promise<ClusterIdentity> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    try {
      return await readClusterIdentity(client);
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
