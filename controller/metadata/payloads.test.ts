import { describe, expect, it } from "vitest";
import type { KubeObject } from "../kube/informer";
import {
  buildCrdPayload,
  buildHelmPayload,
  crdInstanceFrom,
  hashCrdInstance,
  LAST_APPLIED_ANNOTATION,
  withoutLastApplied,
} from "./payloads";

const sender = { operatorVersion: "0.1.0", kubernetesVersion: "v1.34.4", clusterId: "c1d2-uid" };

const agent: KubeObject = {
  apiVersion: "datadoghq.com/v2alpha1",
  kind: "DatadogAgent",
  metadata: {
    name: "datadog",
    namespace: "datadog",
    uid: "dda-uid",
    resourceVersion: "42",
    labels: { team: "sre" },
    annotations: { [LAST_APPLIED_ANNOTATION]: '{"huge":"json"}', owner: "platform" },
  },
  spec: { global: { site: "datadoghq.com", clusterName: "prod" }, features: { apm: { enabled: true } } },
  status: { currentRevision: "r1" },
};

describe("CRD payload (golden)", () => {
  it("has upstream's envelope and fields, field by field", () => {
    const payload = buildCrdPayload(crdInstanceFrom("DatadogAgent", agent), sender, 1_716_000_000_999);
    expect(Object.keys(payload)).toEqual([
      "uuid",
      "timestamp",
      "cluster_id",
      "datadog_operator_crd_metadata",
    ]);
    expect(payload.uuid).toBe("c1d2-uid");
    expect(payload.timestamp).toBe(1_716_000_000);
    expect(payload.cluster_id).toBe("c1d2-uid");
    const m = payload.datadog_operator_crd_metadata;
    expect(Object.keys(m)).toEqual([
      "operator_version",
      "kubernetes_version",
      "cluster_id",
      "crd_kind",
      "crd_name",
      "crd_namespace",
      "crd_api_version",
      "crd_uid",
      "crd_spec_full",
      "crd_labels",
      "crd_annotations",
    ]);
    expect(m.operator_version).toBe("0.1.0");
    expect(m.kubernetes_version).toBe("v1.34.4");
    expect(m.cluster_id).toBe("c1d2-uid");
    expect(m.crd_kind).toBe("DatadogAgent");
    expect(m.crd_name).toBe("datadog");
    expect(m.crd_namespace).toBe("datadog");
    expect(m.crd_api_version).toBe("datadoghq.com/v2alpha1");
    expect(m.crd_uid).toBe("dda-uid");
    // JSON strings, keys sorted as Go writes maps.
    expect(m.crd_spec_full).toBe(
      '{"features":{"apm":{"enabled":true}},"global":{"clusterName":"prod","site":"datadoghq.com"}}',
    );
    expect(m.crd_labels).toBe('{"team":"sre"}');
    // The last-applied annotation is removed; the others stay.
    expect(m.crd_annotations).toBe('{"owner":"platform"}');
    expect(JSON.stringify(payload)).not.toContain("currentRevision");
  });

  it("sends the string null for missing labels and annotations, as upstream marshals a nil map", () => {
    const bare = { ...agent, metadata: { name: "a", namespace: "n", uid: "u" } };
    const m = buildCrdPayload(crdInstanceFrom("DatadogAgent", bare), sender).datadog_operator_crd_metadata;
    expect(m.crd_labels).toBe("null");
    expect(m.crd_annotations).toBe("null");
  });

  it("redacts secrets in the spec before sending", () => {
    const withKey = {
      ...agent,
      spec: {
        global: {
          credentials: {
            apiKey: "0123456789abcdef",
            apiSecret: { secretName: "datadog-secret", keyName: "api-key" },
          },
        },
      },
    };
    const spec = JSON.parse(
      buildCrdPayload(crdInstanceFrom("DatadogAgent", withKey), sender).datadog_operator_crd_metadata
        .crd_spec_full,
    );
    expect(spec.global.credentials).toEqual({
      apiKey: "[redacted]",
      apiSecret: { secretName: "datadog-secret", keyName: "api-key" },
    });
  });
});

describe("CRD hash", () => {
  const hash = (obj: KubeObject) => hashCrdInstance(crdInstanceFrom("DatadogAgent", obj));

  it("ignores status, resourceVersion and the last-applied annotation", () => {
    const changed = {
      ...agent,
      metadata: {
        ...agent.metadata,
        resourceVersion: "43",
        annotations: { ...agent.metadata.annotations, [LAST_APPLIED_ANNOTATION]: "{}" },
      },
      status: { currentRevision: "r2" },
    };
    expect(hash(changed)).toBe(hash(agent));
  });

  it("changes with the spec, a label or an annotation, whatever the key order", () => {
    expect(hash({ ...agent, spec: { global: { site: "datadoghq.eu" } } })).not.toBe(hash(agent));
    expect(hash({ ...agent, metadata: { ...agent.metadata, labels: { team: "web" } } })).not.toBe(
      hash(agent),
    );
    expect(
      hash({ ...agent, metadata: { ...agent.metadata, annotations: { owner: "someone-else" } } }),
    ).not.toBe(hash(agent));
    const reordered = {
      ...agent,
      spec: { features: { apm: { enabled: true } }, global: { clusterName: "prod", site: "datadoghq.com" } },
    };
    expect(hash(reordered)).toBe(hash(agent));
  });
});

describe("Helm payload (golden)", () => {
  it("has the envelope and upstream's field names, field by field", () => {
    const payload = buildHelmPayload(
      {
        releaseName: "datadog",
        namespace: "monitoring",
        chartName: "datadog",
        chartVersion: "3.70.0",
        appVersion: "7.55.0",
        storageUid: "secret-uid",
        revision: 4,
        providedValuesYaml: "datadog:\n  site: datadoghq.eu\n",
        fullValuesYaml: "datadog:\n  logLevel: info\n  site: datadoghq.eu\n",
      },
      sender,
      1_716_000_123_456,
    );
    expect(Object.keys(payload)).toEqual([
      "uuid",
      "timestamp",
      "cluster_id",
      "datadog_operator_helm_metadata",
    ]);
    expect(payload.uuid).toBe("c1d2-uid");
    expect(payload.timestamp).toBe(1_716_000_123);
    expect(payload.cluster_id).toBe("c1d2-uid");
    expect(payload.datadog_operator_helm_metadata).toEqual({
      operator_version: "0.1.0",
      kubernetes_version: "v1.34.4",
      cluster_id: "c1d2-uid",
      chart_name: "datadog",
      chart_release_name: "datadog",
      chart_app_version: "7.55.0",
      chart_version: "3.70.0",
      chart_namespace: "monitoring",
      chart_configmap_uid: "secret-uid",
      helm_provided_configuration: "datadog:\n  site: datadoghq.eu\n",
      helm_full_configuration: "datadog:\n  logLevel: info\n  site: datadoghq.eu\n",
    });
    expect(Object.keys(payload.datadog_operator_helm_metadata)).toEqual([
      "operator_version",
      "kubernetes_version",
      "cluster_id",
      "chart_name",
      "chart_release_name",
      "chart_app_version",
      "chart_version",
      "chart_namespace",
      "chart_configmap_uid",
      "helm_provided_configuration",
      "helm_full_configuration",
    ]);
  });
});

describe("withoutLastApplied (the CRD informers' transform)", () => {
  it("drops kubectl's last-applied copy before caching, keeping every other annotation and the payload", () => {
    const applied = {
      ...agent,
      metadata: {
        ...agent.metadata,
        annotations: { ...agent.metadata.annotations, [LAST_APPLIED_ANNOTATION]: JSON.stringify(agent) },
      },
    };
    const cached = withoutLastApplied(structuredClone(applied) as KubeObject);
    expect(cached.metadata.annotations).toEqual({ owner: "platform" });
    expect(cached.spec).toEqual(agent.spec);
    expect(crdInstanceFrom("DatadogAgent", cached)).toEqual(crdInstanceFrom("DatadogAgent", applied));
  });
});
