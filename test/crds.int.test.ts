// The CRDs in config/crd: every sample applies and reads back unchanged, and the structural
// schemas make the API server reject wrong types in typed fields.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { installManifests, readManifests } from "../testing/install-manifests";
import { REPO_ROOT } from "../testing/paths";
import { statusOf, testNamespace } from "./harness";

const SAMPLES = [path.join(REPO_ROOT, "config/samples"), path.join(REPO_ROOT, "config/samples/autoscaling")];
const ns = testNamespace("crds");

// The samples live in namespaces of their own (datadog, shop) and one is cluster-scoped: remove
// what they put in the cluster, which the later passes share (a DatadogPodAutoscaler left here
// would open every later controller's autoscaling gate). Their namespaces stay, as other tests
// may use them.
afterAll(async () => {
  const api = KubernetesObjectApi.makeApiClient(ns.kc);
  for (const sample of readManifests(SAMPLES).reverse()) {
    if (["Namespace", "CustomResourceDefinition", "Secret"].includes(sample.kind ?? "")) continue;
    await api.delete(sample).catch(() => undefined);
  }
});

describe("CRDs and samples", () => {
  it("applies every sample and reads each one back", async () => {
    const samples = readManifests(SAMPLES);
    const kinds = new Set(samples.map((s) => s.kind));
    for (const kind of [
      "DatadogAgent",
      "DatadogAgentInternal",
      "DatadogAgentProfile",
      "DatadogPodAutoscaler",
      "DatadogPodAutoscalerClusterProfile",
    ]) {
      expect(kinds, `a sample of ${kind}`).toContain(kind);
    }
    await installManifests(ns.kc, SAMPLES);
    const api = KubernetesObjectApi.makeApiClient(ns.kc);
    for (const sample of samples) {
      const read = await api.read(sample as KubernetesObject & { metadata: { name: string } });
      expect(read.metadata?.uid, `${sample.kind}/${sample.metadata?.name}`).toBeTruthy();
      // Custom resources come back exactly as written (built-in kinds gain server defaults).
      if (sample.apiVersion?.startsWith("datadoghq.com/")) {
        expect((read as { spec?: unknown }).spec, `${sample.kind}/${sample.metadata?.name}`).toEqual(
          (sample as { spec?: unknown }).spec,
        );
      }
    }
  });

  it("rejects a wrong type in a typed spec field", async () => {
    const custom = ns.kc.makeApiClient(CustomObjectsApi);
    const create = custom.createNamespacedCustomObject({
      group: "datadoghq.com",
      version: "v2alpha1",
      namespace: ns.name,
      plural: "datadogagents",
      body: {
        apiVersion: "datadoghq.com/v2alpha1",
        kind: "DatadogAgent",
        metadata: { name: "bad-site" },
        spec: { global: { site: 5, clusterName: ["not", "a", "string"] } },
      },
    });
    let message = "";
    try {
      await create;
    } catch (error) {
      message = String((error as { body?: unknown }).body);
    }
    expect(message).toContain("spec.global.site");
    expect(message).toContain("spec.global.clusterName");
    expect(
      await statusOf(
        custom.getNamespacedCustomObject({
          group: "datadoghq.com",
          version: "v2alpha1",
          namespace: ns.name,
          plural: "datadogagents",
          name: "bad-site",
        }),
      ),
    ).toBe(404);
  });

  it("keeps unknown fields in the permissive sections and validates the typed status", async () => {
    const custom = ns.kc.makeApiClient(CustomObjectsApi);
    const target = {
      group: "datadoghq.com",
      version: "v2alpha1",
      namespace: ns.name,
      plural: "datadogagents",
    };
    await custom.createNamespacedCustomObject({
      ...target,
      body: {
        apiVersion: "datadoghq.com/v2alpha1",
        kind: "DatadogAgent",
        metadata: { name: "permissive" },
        spec: { features: { somethingNew: { enabled: true, level: 3 } } },
      },
    });
    const read = (await custom.getNamespacedCustomObject({ ...target, name: "permissive" })) as {
      spec: { features: unknown };
    };
    expect(read.spec.features).toEqual({ somethingNew: { enabled: true, level: 3 } });

    const badPhase = custom.patchNamespacedCustomObjectStatus(
      { ...target, name: "permissive", body: { status: { experiment: { phase: "paused" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(await statusOf(badPhase)).toBe(422);
    const badDpa = custom.createNamespacedCustomObject({
      group: "datadoghq.com",
      version: "v1alpha2",
      namespace: ns.name,
      plural: "datadogpodautoscalers",
      body: {
        apiVersion: "datadoghq.com/v1alpha2",
        kind: "DatadogPodAutoscaler",
        metadata: { name: "bad" },
        spec: { targetRef: { kind: "Deployment", name: "x" }, constraints: { minReplicas: "two" } },
      },
    });
    expect(await statusOf(badDpa)).toBe(422);
  });
});
