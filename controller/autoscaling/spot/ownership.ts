// A pod's direct owner (the ReplicaSet or StatefulSet that counts its pods) and the workload
// whose settings apply (the Deployment of a ReplicaSet, or the StatefulSet itself).
import type { WorkloadRef } from "./workload-config";

export interface PodOwner {
  kind: "ReplicaSet" | "StatefulSet";
  namespace: string;
  name: string;
}

export interface Ownership {
  owner: PodOwner;
  workload: WorkloadRef;
}

export function ownerKey(owner: PodOwner): string {
  return `${owner.kind}/${owner.namespace}/${owner.name}`;
}

/**
 * Resolves a pod's ownership from its controller owner reference. A ReplicaSet maps to its
 * Deployment through the pod-template-hash label the Deployment controller puts on both
 * (`<deployment>-<hash>`), so no ReplicaSet needs to be fetched or cached. Anything else (bare
 * pods, Jobs, DaemonSets, a ReplicaSet without a Deployment) has no spot workload.
 */
export function resolveOwnership(
  namespace: string,
  controller: { apiVersion?: string; kind?: string; name?: string } | undefined,
  labels: Record<string, string> | undefined,
): Ownership | undefined {
  if (!controller?.name || controller.apiVersion !== "apps/v1") return undefined;
  if (controller.kind === "StatefulSet") {
    const owner: PodOwner = { kind: "StatefulSet", namespace, name: controller.name };
    return { owner, workload: { kind: "StatefulSet", namespace, name: controller.name } };
  }
  if (controller.kind === "ReplicaSet") {
    const hash = labels?.["pod-template-hash"];
    if (!hash || !controller.name.endsWith(`-${hash}`)) return undefined;
    const deployment = controller.name.slice(0, -(hash.length + 1));
    if (!deployment) return undefined;
    return {
      owner: { kind: "ReplicaSet", namespace, name: controller.name },
      workload: { kind: "Deployment", namespace, name: deployment },
    };
  }
  return undefined;
}
