// fleetdeck's custom resources (DatadogAgent and its siblings) to create, patch and delete, for
// the demo, tests and benchmarks.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";

export const CRDS = {
  DatadogAgent: { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents" },
  DatadogAgentInternal: { group: "datadoghq.com", version: "v1alpha1", plural: "datadogagentinternals" },
  DatadogAgentProfile: { group: "datadoghq.com", version: "v1alpha1", plural: "datadogagentprofiles" },
} as const;
export type CrdKind = keyof typeof CRDS;

export function crds(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  return {
    create: (
      kind: CrdKind,
      namespace: string,
      name: string,
      spec: unknown,
      labels?: Record<string, string>,
    ) =>
      api.createNamespacedCustomObject({
        ...CRDS[kind],
        namespace,
        body: {
          apiVersion: `${CRDS[kind].group}/${CRDS[kind].version}`,
          kind,
          metadata: { name, namespace, ...(labels ? { labels } : {}) },
          spec,
        },
      }) as Promise<{ metadata: { resourceVersion: string; uid: string } }>,
    patch: (kind: CrdKind, namespace: string, name: string, body: unknown) =>
      api.patchNamespacedCustomObject({ ...CRDS[kind], namespace, name, body }, merge) as Promise<{
        metadata: { resourceVersion: string };
      }>,
    patchStatus: (kind: CrdKind, namespace: string, name: string, status: unknown) =>
      api.patchNamespacedCustomObjectStatus(
        { ...CRDS[kind], namespace, name, body: { status } },
        merge,
      ) as Promise<{
        metadata: { resourceVersion: string };
      }>,
    remove: (kind: CrdKind, namespace: string, name: string) =>
      api.deleteNamespacedCustomObject({ ...CRDS[kind], namespace, name }),
  };
}
