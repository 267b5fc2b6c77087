// Property-based fuzzing of the admission handler: whatever the API server (or anyone reaching
// the port) sends, reviewAdmission answers 400 with a message or 200 with an AdmissionReview
// for the same uid, allowed, with a JSONPatch only for spot; it never throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reviewAdmission, type AdmissionDeps } from "./webhook";

// Every workload opted in at 100 % and the tracker ready: the deepest path through the handler.
const deps: AdmissionDeps = {
  workloads: {
    get: (ref) => ({
      ref,
      uid: "u",
      replicas: 1,
      settings: { percentage: 100, minOnDemand: 0 },
      configError: undefined,
      disabledUntil: undefined,
    }),
    isDisabled: () => false,
  },
  tracker: {
    ready: () => true,
    admit: (_o, decide) => decide({ spot: 0, onDemand: 0, inflightSpot: 0, inflightOnDemand: 0 }),
  },
};

function expectAnswer(body: string) {
  let result: ReturnType<typeof reviewAdmission> | undefined;
  expect(() => (result = reviewAdmission(body, deps))).not.toThrow();
  const r = result!;
  if (r.status === 400) {
    expect((r.body as { error: string }).error).toMatch(/^malformed AdmissionReview: \S/);
    return r;
  }
  expect(r.status).toBe(200);
  const review = r.body as {
    response: { uid: string; allowed: boolean; patch?: string; patchType?: string };
  };
  expect(review.response.uid).toBe((JSON.parse(body) as { request: { uid: string } }).request.uid);
  expect(review.response.allowed).toBe(true);
  if (review.response.patch !== undefined) {
    expect(r.decision).toBe("spot");
    const ops = JSON.parse(Buffer.from(review.response.patch, "base64").toString()) as {
      op: string;
      path: string;
    }[];
    for (const op of ops) {
      expect(op.op).toBe("add");
      expect(op.path).toMatch(/^\/(spec|metadata)\//);
    }
  }
  return r;
}

const ownerReference = fc.record(
  {
    apiVersion: fc.oneof(fc.constant("apps/v1"), fc.string()),
    kind: fc.oneof(fc.constantFrom("ReplicaSet", "StatefulSet", "Job", "DaemonSet"), fc.string()),
    name: fc.oneof(fc.constantFrom("web-7d9f8b6c5d", "web", "db"), fc.string()),
    controller: fc.option(fc.boolean(), { nil: null }),
  },
  { requiredKeys: [] },
);
const pod = fc.record(
  {
    metadata: fc.oneof(
      fc.record(
        {
          namespace: fc.oneof(fc.string(), fc.jsonValue()),
          labels: fc.oneof(
            fc.dictionary(fc.oneof(fc.string(), fc.constant("pod-template-hash")), fc.string()),
            fc.jsonValue(),
          ),
          ownerReferences: fc.oneof(fc.array(ownerReference, { maxLength: 3 }), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
    spec: fc.oneof(
      fc.record(
        {
          nodeSelector: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
          tolerations: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);
const review = fc.record({
  apiVersion: fc.oneof(fc.constant("admission.k8s.io/v1"), fc.string()),
  kind: fc.oneof(fc.constant("AdmissionReview"), fc.string()),
  request: fc.record(
    {
      uid: fc.oneof(fc.uuid(), fc.string()),
      kind: fc.constant({ group: "", version: "v1", kind: "Pod" }),
      resource: fc.oneof(
        fc.constant({ group: "", version: "v1", resource: "pods" }),
        fc.record({ group: fc.string(), version: fc.string(), resource: fc.string() }),
      ),
      subResource: fc.option(fc.constantFrom("status", "binding", ""), { nil: undefined }),
      namespace: fc.option(fc.string(), { nil: undefined }),
      operation: fc.oneof(fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT"), fc.string()),
      dryRun: fc.option(fc.boolean(), { nil: undefined }),
      object: fc.oneof(pod, fc.jsonValue()),
    },
    { requiredKeys: ["uid", "kind", "resource", "operation"] },
  ),
});

describe("reviewAdmission never throws (fast-check)", { timeout: 60_000 }, () => {
  it("on arbitrary text and arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (body) => void expectAnswer(body)),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (json) => void expectAnswer(JSON.stringify(json) ?? "null")),
      {
        numRuns: 300,
      },
    );
  });

  it("on AdmissionReviews with arbitrary pods, owners, labels and operations", () => {
    fc.assert(
      fc.property(review, (r) => void expectAnswer(JSON.stringify(r))),
      { numRuns: 1000 },
    );
  });

  it("on pod creations of an opted-in Deployment with arbitrary labels, selectors and tolerations", () => {
    let spot = 0;
    const owned = fc.record({
      labels: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: null }),
      nodeSelector: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: null }),
      tolerations: fc.option(fc.array(fc.jsonValue(), { maxLength: 3 }), { nil: null }),
      extra: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }),
    });
    fc.assert(
      fc.property(owned, ({ labels, nodeSelector, tolerations, extra }) => {
        const body = JSON.stringify({
          apiVersion: "admission.k8s.io/v1",
          kind: "AdmissionReview",
          request: {
            uid: "uid-1",
            kind: { group: "", version: "v1", kind: "Pod" },
            resource: { group: "", version: "v1", resource: "pods" },
            namespace: "shop",
            operation: "CREATE",
            object: {
              ...extra,
              metadata: {
                labels: labels && { ...labels, "pod-template-hash": "7d9f8b6c5d" },
                ownerReferences: [
                  { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9f8b6c5d", controller: true },
                ],
              },
              spec: { nodeSelector, tolerations },
            },
          },
        });
        if (expectAnswer(body).decision === "spot") spot++;
      }),
      { numRuns: 500 },
    );
    // The generator reaches the patching path, not only the rejections.
    expect(spot).toBeGreaterThan(0);
  });
});
