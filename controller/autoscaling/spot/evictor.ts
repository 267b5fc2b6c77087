// Evictions through the policy/v1 Eviction API, so PodDisruptionBudgets hold: the API server
// answers 429 when a budget does not allow it, and the caller retries on a later tick.
import { resourcePath, statusCode, type KubeClient } from "../../kube/client";

export type EvictionOutcome =
  /** The pod is being evicted. */
  | "evicted"
  /** Already gone (counts as success). */
  | "gone"
  /** Not in the required phase any more: nothing to do. */
  | "skipped"
  /** Refused by a PodDisruptionBudget (HTTP 429). */
  | "refused";

interface Pod {
  metadata?: { deletionTimestamp?: string };
  status?: { phase?: string };
}

export class PodEvictor {
  constructor(private readonly client: KubeClient) {}

  /**
   * Evicts a pod. With `onlyIfPhase`, the pod is re-read first and evicted only if it is still
   * in that phase (a Pending spot pod may have been scheduled meanwhile). Other errors throw.
   */
  async evict(namespace: string, name: string, onlyIfPhase?: string): Promise<EvictionOutcome> {
    try {
      if (onlyIfPhase) {
        const pod = await this.client.get<Pod>(
          resourcePath({ version: "v1", resource: "pods", namespace, name }),
        );
        if (pod.status?.phase !== onlyIfPhase || pod.metadata?.deletionTimestamp) return "skipped";
      }
      await this.client.evict(namespace, name);
      return "evicted";
    } catch (error) {
      const code = statusCode(error);
      if (code === 404) return "gone";
      if (code === 429) return "refused";
      throw error;
    }
  }
}
