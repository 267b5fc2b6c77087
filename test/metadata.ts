// Helpers for the metadata forwarding tests, benchmarks and e2e specs: custom resources and
// Helm release Secrets to create, and readers of what the fake intake received.
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Secret,
} from "@kubernetes/client-node";
import { encodeHelmRelease } from "../controller/metadata/helm-release";
import type { IntakeRecord } from "../testing/fakeintake/server";

export const CRDS = {
  DatadogAgent: { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents" },
  DatadogAgentInternal: { group: "datadoghq.com", version: "v1alpha1", plural: "datadogagentinternals" },
  DatadogAgentProfile: { group: "datadoghq.com", version: "v1alpha1", plural: "datadogagentprofiles" },
} as const;
export type CrdKind = keyof typeof CRDS;

export interface CrdMetadata {
  crd_kind: string;
  crd_name: string;
  crd_namespace: string;
  crd_uid: string;
  crd_spec_full: string;
  crd_labels: string;
  crd_annotations: string;
  [key: string]: unknown;
}

export interface HelmMetadata {
  chart_name: string;
  chart_release_name: string;
  chart_namespace: string;
  chart_version: string;
  helm_provided_configuration: string;
  helm_full_configuration: string;
  [key: string]: unknown;
}

export function crdMetadataOf(record: IntakeRecord): CrdMetadata | undefined {
  return (record.body as { datadog_operator_crd_metadata?: CrdMetadata } | null)
    ?.datadog_operator_crd_metadata;
}

export function helmMetadataOf(record: IntakeRecord): HelmMetadata | undefined {
  return (record.body as { datadog_operator_helm_metadata?: HelmMetadata } | null)
    ?.datadog_operator_helm_metadata;
}

/** Accepted CRD payloads of one object, oldest first. */
export function crdSends(
  records: IntakeRecord[],
  kind: string,
  namespace: string,
  name: string,
): CrdMetadata[] {
  return records
    .filter((r) => r.status >= 200 && r.status < 300)
    .map(crdMetadataOf)
    .filter(
      (m): m is CrdMetadata =>
        !!m && m.crd_kind === kind && m.crd_namespace === namespace && m.crd_name === name,
    );
}

export function helmSends(records: IntakeRecord[], namespace: string, release: string): HelmMetadata[] {
  return records
    .filter((r) => r.status >= 200 && r.status < 300)
    .map(helmMetadataOf)
    .filter(
      (m): m is HelmMetadata => !!m && m.chart_namespace === namespace && m.chart_release_name === release,
    );
}

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

/** A Helm 3 release as Helm stores it in a Secret (type helm.sh/release.v1). */
export function helmReleaseSecret(options: {
  namespace: string;
  release: string;
  revision: number;
  chart?: string;
  chartVersion?: string;
  status?: string;
  values?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  /** Replaces the encoded release (corrupt data). */
  rawRelease?: string;
}): V1Secret {
  const chart = options.chart ?? "datadog";
  const status = options.status ?? "deployed";
  const helmText =
    options.rawRelease ??
    encodeHelmRelease({
      name: options.release,
      namespace: options.namespace,
      version: options.revision,
      info: { status },
      config: options.values ?? {},
      chart: {
        metadata: { name: chart, version: options.chartVersion ?? "3.70.0", appVersion: "7.55.0" },
        values: options.defaults ?? { datadog: { site: "datadoghq.com", apiKey: "" } },
      },
    });
  return {
    metadata: {
      name: `sh.helm.release.v1.${options.release}.v${options.revision}`,
      namespace: options.namespace,
      labels: { owner: "helm", name: options.release, status, version: String(options.revision) },
    },
    type: "helm.sh/release.v1",
    data: { release: Buffer.from(helmText).toString("base64") },
  };
}

export function createSecret(kc: KubeConfig, secret: V1Secret) {
  return kc
    .makeApiClient(CoreV1Api)
    .createNamespacedSecret({ namespace: secret.metadata!.namespace!, body: secret });
}
