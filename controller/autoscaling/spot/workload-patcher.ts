// Reads and annotates spot workloads through the API server (merge patches on the workload,
// as upstream persists the disabled window).
import { formatRfc3339, SPOT_DISABLED_UNTIL_ANNOTATION } from "../../../lib/spot";
import { resourcePath, type KubeClient } from "../../kube/client";
import type { WorkloadRef } from "./workload-config";

export interface WorkloadObject {
  metadata?: { uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

const workloadPath = (ref: WorkloadRef) =>
  resourcePath({
    group: "apps",
    version: "v1",
    resource: ref.kind === "Deployment" ? "deployments" : "statefulsets",
    namespace: ref.namespace,
    name: ref.name,
  });

export class WorkloadPatcher {
  constructor(private readonly client: KubeClient) {}

  read(ref: WorkloadRef): Promise<WorkloadObject> {
    return this.client.get<WorkloadObject>(workloadPath(ref));
  }

  /** Sets the spot-disabled-until annotation (RFC 3339, UTC), or removes it with `null`. */
  async setDisabledUntil(ref: WorkloadRef, until: number | null): Promise<void> {
    await this.client.mergePatch(workloadPath(ref), {
      metadata: {
        annotations: { [SPOT_DISABLED_UNTIL_ANNOTATION]: until === null ? null : formatRfc3339(until) },
      },
    });
  }
}
