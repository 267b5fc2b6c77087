// The datadog-operator's CRDs, installed from its Go module (testing/operator-crds.ts): the five
// fleetdeck works on are in the cluster as the module ships them, every sample of config/samples
// applies and reads back unchanged, the structural schemas refuse wrong types, and the status
// keeps only the operator's fields (why fleetdeck keeps its own state elsewhere).
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { installManifests, readManifests } from "../testing/install-manifests";
import { FLEETDECK_CRDS, operatorCrdFiles } from "../testing/operator-crds";
import { REPO_ROOT } from "../testing/paths";
import { statusOf, testNamespace } from "./harness";

const SAMPLES = [path.join(REPO_ROOT, "config/samples"), path.join(REPO_ROOT, "config/samples/autoscaling")];
const ns = testNamespace("crds");
const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents" };
/** Creates a DatadogAgent in the test namespace (with `fieldValidation`, as kubectl sets it). */
const createAgent = (name: string, spec: object, fieldValidation?: string) =>
  ns.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...dda,
    namespace: ns.name,
    fieldValidation,
    body: { apiVersion: "datadoghq.com/v2alpha1", kind: "DatadogAgent", metadata: { name }, spec },
  });

describe("the operator's CRDs", () => {
  it("are installed as the pinned module ships them", async () => {
    const api = ns.kc.makeApiClient(ApiextensionsV1Api);
    for (const file of operatorCrdFiles()) {
      const shipped = YAML.parse(fs.readFileSync(file, "utf8")) as {
        metadata: { name: string };
        spec: { versions: { name: string; schema: unknown }[] };
      };
      const installed = await api.readCustomResourceDefinition({ name: shipped.metadata.name });
      expect(installed.spec.versions.map((v) => v.name)).toEqual(shipped.spec.versions.map((v) => v.name));
      expect(
        JSON.stringify(installed.spec.versions[0]!.schema).length,
        `${shipped.metadata.name}: the whole schema, not a subset`,
      ).toBeGreaterThan(JSON.stringify(shipped.spec.versions[0]!.schema).length * 0.9);
    }
    expect(FLEETDECK_CRDS).toHaveLength(5);
    const agents = await api.readCustomResourceDefinition({ name: "datadogagents.datadoghq.com" });
    const credentials = (agents.spec.versions[0]!.schema!.openAPIV3Schema!.properties!.spec!.properties!
      .global!.properties!.credentials!.properties ?? {}) as Record<string, unknown>;
    expect(Object.keys(credentials).sort()).toEqual(["apiKey", "apiSecret", "appKey", "appSecret"]);
  });

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
      // Custom resources come back with all that was written: nothing pruned by the schema
      // (the autoscaler's schema adds its defaults).
      if (sample.apiVersion?.startsWith("datadoghq.com/")) {
        expect((read as { spec?: object }).spec, `${sample.kind}/${sample.metadata?.name}`).toMatchObject(
          (sample as { spec?: object }).spec!,
        );
      }
    }
  });

  it("rejects a wrong type in a typed spec field", async () => {
    const custom = ns.kc.makeApiClient(CustomObjectsApi);
    let message = "";
    try {
      await createAgent("bad-site", { global: { site: 5, clusterName: ["not", "a", "string"] } });
    } catch (error) {
      message = String((error as { body?: unknown }).body);
    }
    expect(message).toContain("spec.global.site");
    expect(message).toContain("spec.global.clusterName");
    expect(
      await statusOf(custom.getNamespacedCustomObject({ ...dda, namespace: ns.name, name: "bad-site" })),
    ).toBe(404);
  });

  it("refuses unknown spec fields under strict validation, and prunes status fields it does not know", async () => {
    const custom = ns.kc.makeApiClient(CustomObjectsApi);
    let refusal = "";
    await createAgent("strict", { features: { somethingNew: { enabled: true } } }, "Strict").catch(
      (error: { code?: number; body?: unknown }) => (refusal = `${error.code} ${String(error.body)}`),
    );
    expect(refusal).toMatch(/^400 .*unknown field \\"spec.features.somethingNew\\"/);

    await createAgent("pruned", {
      global: { clusterName: "x", credentials: { apiKey: "placeholder-not-a-real-key" } },
    });
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    const patched = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...dda,
        namespace: ns.name,
        name: "pruned",
        body: {
          status: {
            currentRevision: "pruned-0123456789",
            observedGeneration: 1,
            experiment: {
              phase: "running",
              id: "e1",
              baselineRevision: "pruned-x",
              startedAt: "2026-01-01T00:00:00Z",
            },
          },
        },
      },
      merge,
    )) as { status: Record<string, unknown> };
    // What fleetdeck wrote before this API: gone, but for upstream's own experiment fields.
    expect(patched.status).toEqual({
      experiment: { phase: "running", id: "e1", startedAt: "2026-01-01T00:00:00Z" },
    });

    const badPhase = custom.patchNamespacedCustomObjectStatus(
      { ...dda, namespace: ns.name, name: "pruned", body: { status: { experiment: { phase: "rollback" } } } },
      merge,
    );
    expect(await statusOf(badPhase)).toBe(422);
  });
});
