// The intake payloads of datadog-operator's CRD and Helm forwarders, field for field (its
// pkg/controller/utils/metadata/): a {uuid, timestamp, cluster_id} envelope around
// `datadog_operator_crd_metadata` or `datadog_operator_helm_metadata`.
import { createHash } from "node:crypto";
import type { KubeObject } from "../kube/informer";
import { redactSecrets } from "../../lib/redact";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** What every payload carries about who sends it and from where. */
export interface SenderIdentity {
  operatorVersion: string;
  kubernetesVersion: string;
  /** UID of the kube-system namespace. */
  clusterId: string;
}

/** The part of a custom resource that is forwarded (secrets already redacted). */
export interface CrdInstance {
  kind: string;
  name: string;
  namespace: string;
  apiVersion: string;
  uid: string;
  spec: unknown;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface CrdPayload {
  uuid: string;
  timestamp: number;
  cluster_id: string;
  datadog_operator_crd_metadata: {
    operator_version: string;
    kubernetes_version: string;
    cluster_id: string;
    crd_kind: string;
    crd_name: string;
    crd_namespace: string;
    crd_api_version: string;
    crd_uid: string;
    crd_spec_full: string;
    crd_labels: string;
    crd_annotations: string;
  };
}

/** A decoded Helm release, ready to send (values as YAML, secrets already redacted). */
export interface HelmReleaseInfo {
  releaseName: string;
  namespace: string;
  chartName: string;
  chartVersion: string;
  appVersion: string;
  /** UID of the Secret or ConfigMap that stores this revision. */
  storageUid: string;
  revision: number;
  providedValuesYaml: string;
  fullValuesYaml: string;
}

export interface HelmPayload {
  uuid: string;
  timestamp: number;
  cluster_id: string;
  datadog_operator_helm_metadata: {
    operator_version: string;
    kubernetes_version: string;
    cluster_id: string;
    chart_name: string;
    chart_release_name: string;
    chart_app_version: string;
    chart_version: string;
    chart_namespace: string;
    chart_configmap_uid: string;
    helm_provided_configuration: string;
    helm_full_configuration: string;
  };
}

/** JSON with object keys sorted, as Go's encoding/json writes maps: stable for hashing and diffs. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * The informers' transform for the custom resources the forwarder watches: kubectl's
 * last-applied annotation (a second copy of the whole spec) dropped before caching, since
 * nothing reads it — the payload leaves it out, the reconciler never looks at it. The object
 * is the informer's own (just decoded), so it is changed in place.
 */
export function withoutLastApplied<T extends KubeObject>(obj: T): T {
  const annotations = obj.metadata.annotations;
  if (annotations && LAST_APPLIED_ANNOTATION in annotations) delete annotations[LAST_APPLIED_ANNOTATION];
  return obj;
}

/** The forwarded view of a custom resource: the last-applied annotation removed, secrets redacted. */
export function crdInstanceFrom(kind: string, obj: KubeObject): CrdInstance {
  const { metadata } = obj;
  let annotations = metadata.annotations;
  if (annotations && LAST_APPLIED_ANNOTATION in annotations) {
    annotations = { ...annotations };
    delete annotations[LAST_APPLIED_ANNOTATION];
  }
  return redactSecrets({
    kind,
    name: metadata.name,
    namespace: metadata.namespace ?? "",
    apiVersion: obj.apiVersion ?? "",
    uid: metadata.uid ?? "",
    spec: obj.spec,
    ...(metadata.labels ? { labels: metadata.labels } : {}),
    ...(annotations ? { annotations } : {}),
  });
}

/**
 * SHA-256 of what identifies a change worth sending: spec, labels and annotations (empty ones
 * left out, as upstream's `omitempty`). Status is not part of it, so status-only updates send
 * nothing.
 */
export function hashCrdInstance(instance: CrdInstance): string {
  const hashable: Record<string, unknown> = { spec: instance.spec };
  if (instance.labels && Object.keys(instance.labels).length > 0) hashable.labels = instance.labels;
  if (instance.annotations && Object.keys(instance.annotations).length > 0)
    hashable.annotations = instance.annotations;
  return createHash("sha256").update(canonicalJson(hashable)).digest("hex");
}

// Upstream marshals a missing map as JSON null and so sends the string "null".
const jsonField = (value: unknown): string => (value === undefined ? "null" : canonicalJson(value));

export function buildCrdPayload(instance: CrdInstance, sender: SenderIdentity, now = Date.now()): CrdPayload {
  return {
    uuid: sender.clusterId,
    timestamp: Math.floor(now / 1000),
    cluster_id: sender.clusterId,
    datadog_operator_crd_metadata: {
      operator_version: sender.operatorVersion,
      kubernetes_version: sender.kubernetesVersion,
      cluster_id: sender.clusterId,
      crd_kind: instance.kind,
      crd_name: instance.name,
      crd_namespace: instance.namespace,
      crd_api_version: instance.apiVersion,
      crd_uid: instance.uid,
      crd_spec_full: instance.spec === undefined ? "" : canonicalJson(instance.spec),
      crd_labels: jsonField(instance.labels),
      crd_annotations: jsonField(instance.annotations),
    },
  };
}

export function buildHelmPayload(
  release: HelmReleaseInfo,
  sender: SenderIdentity,
  now = Date.now(),
): HelmPayload {
  return {
    uuid: sender.clusterId,
    timestamp: Math.floor(now / 1000),
    cluster_id: sender.clusterId,
    datadog_operator_helm_metadata: {
      operator_version: sender.operatorVersion,
      kubernetes_version: sender.kubernetesVersion,
      cluster_id: sender.clusterId,
      chart_name: release.chartName,
      chart_release_name: release.releaseName,
      chart_app_version: release.appVersion,
      chart_version: release.chartVersion,
      chart_namespace: release.namespace,
      chart_configmap_uid: release.storageUid,
      helm_provided_configuration: release.providedValuesYaml,
      helm_full_configuration: release.fullValuesYaml,
    },
  };
}
