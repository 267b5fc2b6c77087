// Helpers for the metadata forwarding tests, benchmarks and e2e specs: readers of what the fake
// intake received, and Secrets to create (the custom resources and Helm releases themselves
// are in testing/, which the demo uses too).
import { CoreV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import type { IntakeRecord } from "../testing/fakeintake/server";

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

export function createSecret(kc: KubeConfig, secret: V1Secret) {
  return kc
    .makeApiClient(CoreV1Api)
    .createNamespacedSecret({ namespace: secret.metadata!.namespace!, body: secret });
}
