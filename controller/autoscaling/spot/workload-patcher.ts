// Reads and annotates spot workloads through the API server (merge patches on the workload,
// as upstream persists the disabled window).
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { formatRfc3339, SPOT_DISABLED_UNTIL_ANNOTATION } from "../../../lib/spot";
import type { WorkloadRef } from "./workload-config";

export interface WorkloadObject {
  metadata?: { uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export class WorkloadPatcher {
  private readonly api: AppsV1Api;

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(AppsV1Api);
  }

  read(ref: WorkloadRef): Promise<WorkloadObject> {
    const params = { name: ref.name, namespace: ref.namespace };
    return ref.kind === "Deployment"
      ? this.api.readNamespacedDeployment(params)
      : this.api.readNamespacedStatefulSet(params);
  }

  /** Sets the spot-disabled-until annotation (RFC 3339, UTC), or removes it with `null`. */
  async setDisabledUntil(ref: WorkloadRef, until: number | null): Promise<void> {
    const body = {
      metadata: {
        annotations: { [SPOT_DISABLED_UNTIL_ANNOTATION]: until === null ? null : formatRfc3339(until) },
      },
    };
    const params = { name: ref.name, namespace: ref.namespace, body };
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    if (ref.kind === "Deployment") await this.api.patchNamespacedDeployment(params, merge);
    else await this.api.patchNamespacedStatefulSet(params, merge);
  }
}
