// Resolves a DatadogPodAutoscaler's targetRef the way the HPA controller does: API discovery
// finds the resource of the target's kind and whether it has a scale subresource, then the
// scale subresource gives the current replicas (status.replicas) of any scalable kind.
import { AUTOSCALER_REASONS } from "../../../lib/autoscaling";
import { isNotFound, type KubeClient } from "../../kube/client";
import type { TargetLookup, TargetRef } from "./status";

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const DISCOVERY_TTL_MS = 30_000;

export class TargetResolver {
  private readonly discovery = new Map<string, { at: number; resources: ApiResource[] | null }>();

  constructor(private readonly client: KubeClient) {}

  async resolve(namespace: string, ref: Required<TargetRef>): Promise<TargetLookup> {
    const base = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    let resources = await this.resources(base, false);
    // A kind we have not seen may belong to a CRD installed since the last discovery.
    if (!resources?.some((r) => r.kind === ref.kind)) resources = await this.resources(base, true);
    if (!resources) {
      return notFound(`API version ${ref.apiVersion} is not served by the cluster`);
    }
    const resource = resources.find((r) => r.kind === ref.kind && !r.name.includes("/"));
    if (!resource) return notFound(`kind ${ref.kind} does not exist in ${ref.apiVersion}`);
    if (!resource.namespaced) return invalid(`${ref.kind} is cluster-scoped; a target must be namespaced`);
    if (!resources.some((r) => r.name === `${resource.name}/scale`)) {
      return invalid(`${ref.kind} has no scale subresource, so it cannot be autoscaled`);
    }
    try {
      const scale = await this.client.get<{ status?: { replicas?: number } }>(
        `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.name}/${encodeURIComponent(ref.name)}/scale`,
        undefined,
        10_000,
      );
      return { found: true, replicas: scale.status?.replicas ?? 0 };
    } catch (error) {
      if (isNotFound(error)) {
        return notFound(`${ref.kind} ${namespace}/${ref.name} does not exist`);
      }
      throw error;
    }
  }

  /** The resources of a group version (null: not served), cached for a while. */
  private async resources(base: string, refresh: boolean): Promise<ApiResource[] | null> {
    const cached = this.discovery.get(base);
    if (cached && !refresh && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.resources;
    let resources: ApiResource[] | null;
    try {
      resources =
        (await this.client.get<{ resources: ApiResource[] }>(base, undefined, 10_000)).resources ?? [];
    } catch (error) {
      if (!isNotFound(error)) throw error;
      resources = null;
    }
    this.discovery.set(base, { at: Date.now(), resources });
    return resources;
  }
}

function notFound(message: string): TargetLookup {
  return { found: false, reason: AUTOSCALER_REASONS.targetNotFound, message };
}

function invalid(message: string): TargetLookup {
  return { found: false, reason: AUTOSCALER_REASONS.invalidSpec, message };
}
