import { describe, expect, it } from "vitest";
import { resolveOwnership } from "./ownership";
import type { OwnerCounts } from "./placement";
import { reviewAdmission, type AdmissionDeps } from "./webhook";
import type { WorkloadConfig, WorkloadRef } from "./workload-config";

/** A fake of the two caches the handler reads: opted-in workloads and in-flight counts. */
function deps(
  options: { optedIn?: WorkloadRef[]; disabled?: boolean; ready?: boolean; percentage?: number } = {},
) {
  const admitted: { owner: string; decision: string; dryRun: boolean }[] = [];
  const counts: OwnerCounts = { spot: 0, onDemand: 0, inflightSpot: 0, inflightOnDemand: 0 };
  const d: AdmissionDeps = {
    workloads: {
      get: (ref) =>
        options.optedIn?.some(
          (w) => w.kind === ref.kind && w.namespace === ref.namespace && w.name === ref.name,
        )
          ? ({
              ref,
              uid: "u",
              replicas: 1,
              settings: { percentage: options.percentage ?? 100, minOnDemand: 0 },
              configError: undefined,
              disabledUntil: options.disabled ? Date.now() + 60_000 : undefined,
            } satisfies WorkloadConfig)
          : undefined,
      isDisabled: (config) => config.disabledUntil !== undefined,
    },
    tracker: {
      ready: () => options.ready ?? true,
      admit: (o, decide, { dryRun = false } = {}) => {
        const decision = decide(counts);
        admitted.push({ owner: o.owner.name, decision, dryRun });
        return decision;
      },
    },
  };
  return { deps: d, admitted };
}

function review(pod: object, request: object = {}) {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "uid-1",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      namespace: "shop",
      operation: "CREATE",
      object: pod,
      ...request,
    },
  });
}

const rsPod = (extra: { labels?: object; spec?: object } = {}) => ({
  metadata: {
    generateName: "web-7d9c5b-",
    labels: { "pod-template-hash": "7d9c5b", ...extra.labels },
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9c5b", uid: "x", controller: true },
    ],
  },
  spec: { containers: [{ name: "c", image: "i" }], ...extra.spec },
});

const web: WorkloadRef = { kind: "Deployment", namespace: "shop", name: "web" };

function patchOf(result: ReturnType<typeof reviewAdmission>) {
  const response = (
    result.body as { response: { patch?: string; patchType?: string; uid: string; allowed: boolean } }
  ).response;
  return {
    response,
    patch: response.patch ? JSON.parse(Buffer.from(response.patch, "base64").toString("utf8")) : undefined,
  };
}

describe("admission review", () => {
  it("assigns a pod of an opted-in Deployment to spot with a JSONPatch", () => {
    const { deps: d, admitted } = deps({ optedIn: [web] });
    const result = reviewAdmission(review({ metadata: rsPod().metadata, spec: { containers: [] } }), d);
    expect(result.status).toBe(200);
    expect(result.decision).toBe("spot");
    const { response, patch } = patchOf(result);
    expect(response).toMatchObject({ uid: "uid-1", allowed: true, patchType: "JSONPatch" });
    expect(patch).toEqual([
      {
        op: "add",
        path: "/spec/nodeSelector",
        value: { "autoscaling.datadoghq.com/capacity-type": "interruptible" },
      },
      {
        op: "add",
        path: "/spec/tolerations",
        value: [
          {
            key: "autoscaling.datadoghq.com/capacity-type",
            operator: "Equal",
            value: "interruptible",
            effect: "NoSchedule",
          },
        ],
      },
      { op: "add", path: "/metadata/labels/autoscaling.datadoghq.com~1spot-assigned", value: "true" },
    ]);
    expect(admitted).toEqual([{ owner: "web-7d9c5b", decision: "spot", dryRun: false }]);
  });

  it("adds to existing nodeSelector and tolerations instead of replacing them", () => {
    const { deps: d } = deps({ optedIn: [web] });
    const pod = rsPod({
      spec: { nodeSelector: { zone: "a" }, tolerations: [{ key: "k", operator: "Exists" }] },
    });
    const { patch } = patchOf(reviewAdmission(review(pod), d));
    expect(patch[0]).toEqual({
      op: "add",
      path: "/spec/nodeSelector/autoscaling.datadoghq.com~1capacity-type",
      value: "interruptible",
    });
    expect(patch[1].path).toBe("/spec/tolerations/-");
  });

  it("leaves on-demand pods, unknown owners and other requests unchanged", () => {
    const onDemand = deps({ optedIn: [web], percentage: 0 });
    expect(patchOf(reviewAdmission(review(rsPod()), onDemand.deps)).patch).toBeUndefined();
    expect(onDemand.admitted[0]?.decision).toBe("on-demand");

    const { deps: d, admitted } = deps({ optedIn: [web] });
    const bare = reviewAdmission(review({ metadata: { name: "bare" }, spec: {} }), d);
    expect(bare.decision).toBe("no-owner");
    expect(patchOf(bare).response).toEqual({ uid: "uid-1", allowed: true });

    const other = rsPod();
    other.metadata.ownerReferences[0]!.name = "api-7d9c5b";
    expect(reviewAdmission(review(other), d).decision).toBe("not-opted-in");

    expect(reviewAdmission(review(rsPod(), { operation: "UPDATE" }), d).decision).toBe("ignored");
    expect(
      reviewAdmission(
        review(rsPod(), { resource: { group: "", version: "v1", resource: "pods" }, subResource: "binding" }),
        d,
      ).decision,
    ).toBe("ignored");
    expect(admitted).toEqual([]);
  });

  it("counts a disabled workload's pod as on-demand, and a dry run not at all", () => {
    const disabled = deps({ optedIn: [web], disabled: true });
    const result = reviewAdmission(review(rsPod()), disabled.deps);
    expect(result.decision).toBe("disabled");
    expect(patchOf(result).patch).toBeUndefined();
    expect(disabled.admitted).toEqual([{ owner: "web-7d9c5b", decision: "on-demand", dryRun: false }]);

    const dry = deps({ optedIn: [web] });
    expect(reviewAdmission(review(rsPod(), { dryRun: true }), dry.deps).decision).toBe("spot");
    expect(dry.admitted).toEqual([{ owner: "web-7d9c5b", decision: "spot", dryRun: true }]);
  });

  it("places nothing before the caches have synced", () => {
    const { deps: d, admitted } = deps({ optedIn: [web], ready: false });
    expect(reviewAdmission(review(rsPod()), d).decision).toBe("not-ready");
    expect(admitted).toEqual([]);
  });

  it.each([
    ["not JSON", "{", /the body is not JSON/],
    ["a JSON array", "[]", /malformed AdmissionReview/],
    [
      "the wrong apiVersion",
      JSON.stringify({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview" }),
      /apiVersion must be "admission\.k8s\.io\/v1"/,
    ],
    [
      "no request",
      JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }),
      /request is missing/,
    ],
    ["an empty uid", review(rsPod(), { uid: "" }), /request\.uid must not be empty/],
    ["a pod that is not an object", review("pod" as unknown as object), /request\.object/],
  ])("answers 400 with a message for %s", (_name, body, message) => {
    const { deps: d } = deps({ optedIn: [web] });
    const result = reviewAdmission(body, d);
    expect(result.status).toBe(400);
    expect((result.body as { error: string }).error).toMatch(message);
  });
});

describe("ownership", () => {
  it("maps a ReplicaSet to its Deployment through pod-template-hash, and a StatefulSet to itself", () => {
    expect(
      resolveOwnership(
        "ns",
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "my-app-5f8d7" },
        { "pod-template-hash": "5f8d7" },
      ),
    ).toEqual({
      owner: { kind: "ReplicaSet", namespace: "ns", name: "my-app-5f8d7" },
      workload: { kind: "Deployment", namespace: "ns", name: "my-app" },
    });
    expect(
      resolveOwnership("ns", { apiVersion: "apps/v1", kind: "StatefulSet", name: "db" }, undefined),
    ).toEqual({
      owner: { kind: "StatefulSet", namespace: "ns", name: "db" },
      workload: { kind: "StatefulSet", namespace: "ns", name: "db" },
    });
  });

  it("has no spot workload for bare ReplicaSets, Jobs, DaemonSets and ownerless pods", () => {
    expect(
      resolveOwnership("ns", { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs-abc" }, {}),
    ).toBeUndefined();
    expect(resolveOwnership("ns", { apiVersion: "batch/v1", kind: "Job", name: "j" }, {})).toBeUndefined();
    expect(
      resolveOwnership("ns", { apiVersion: "apps/v1", kind: "DaemonSet", name: "d" }, {}),
    ).toBeUndefined();
    expect(resolveOwnership("ns", undefined, {})).toBeUndefined();
  });
});
