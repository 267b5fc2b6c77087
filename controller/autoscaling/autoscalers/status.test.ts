import { describe, expect, it } from "vitest";
import { mergeConditions, sameConditions } from "../../../lib/conditions";
import { autoscalerConditions, profileValidCondition, specProblem, templateHash } from "./status";

const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };

describe("specProblem", () => {
  it("accepts a complete spec", () => {
    expect(specProblem({ targetRef: ref, constraints: { minReplicas: 1, maxReplicas: 3 } })).toBeUndefined();
    expect(
      specProblem({ targetRef: { ...ref, apiVersion: "v1", kind: "ReplicationController" } }),
    ).toBeUndefined();
  });

  it("names what is wrong", () => {
    expect(specProblem({})).toBe("spec.targetRef needs kind and name");
    expect(specProblem({ targetRef: { kind: "Deployment", name: "web" } })).toBe(
      "spec.targetRef.apiVersion is required (e.g. apps/v1)",
    );
    expect(specProblem({ targetRef: { ...ref, apiVersion: "apps/v1/extra" } })).toContain(
      "is not group/version",
    );
    expect(specProblem({ targetRef: ref, constraints: { minReplicas: 4, maxReplicas: 2 } })).toBe(
      "spec.constraints.minReplicas (4) is greater than spec.constraints.maxReplicas (2)",
    );
  });
});

describe("conditions", () => {
  const t0 = new Date("2026-11-23T00:00:00Z");
  const t1 = new Date("2026-11-23T00:05:00Z");

  it("Active and Error follow the lookup", () => {
    expect(autoscalerConditions({ found: true, replicas: 3 })).toEqual([
      expect.objectContaining({ type: "Active", status: "True", reason: "TargetResolved" }),
      expect.objectContaining({ type: "Error", status: "False" }),
    ]);
    expect(autoscalerConditions({ found: false, reason: "TargetNotFound", message: "gone" })).toEqual([
      { type: "Active", status: "False", reason: "TargetNotFound", message: "gone" },
      { type: "Error", status: "True", reason: "TargetNotFound", message: "gone" },
    ]);
  });

  it("keeps other types and moves lastTransitionTime only on a status change", () => {
    const first = mergeConditions(
      [{ type: "HorizontalAbleToScale", status: "True", lastTransitionTime: t0.toISOString() }],
      autoscalerConditions({ found: false, reason: "TargetNotFound", message: "gone" }),
      t0,
    );
    expect(first.map((c) => c.type)).toEqual(["Active", "Error", "HorizontalAbleToScale"]);
    const same = mergeConditions(
      first,
      autoscalerConditions({ found: false, reason: "TargetNotFound", message: "gone" }),
      t1,
    );
    expect(sameConditions(first, same)).toBe(true);
    const fixed = mergeConditions(first, autoscalerConditions({ found: true, replicas: 2 }), t1);
    expect(fixed.find((c) => c.type === "Error")).toMatchObject({
      status: "False",
      lastTransitionTime: "2026-11-23T00:05:00Z",
    });
    expect(sameConditions(first, fixed)).toBe(false);
  });
});

describe("profiles", () => {
  it("hashes templates independently of key order", () => {
    const a = templateHash({
      applyPolicy: { mode: "Apply" },
      constraints: { minReplicas: 1, maxReplicas: 3 },
    });
    const b = templateHash({
      constraints: { maxReplicas: 3, minReplicas: 1 },
      applyPolicy: { mode: "Apply" },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(templateHash({ constraints: { minReplicas: 2 } })).not.toBe(a);
  });

  it("Valid says why a template is not", () => {
    expect(profileValidCondition({ constraints: { minReplicas: 1 } })).toMatchObject({
      status: "True",
      reason: "Valid",
    });
    expect(profileValidCondition({ constraints: { minReplicas: 9, maxReplicas: 1 } })).toMatchObject({
      status: "False",
      reason: "InvalidTemplate",
      message:
        "spec.template.constraints.minReplicas (9) is greater than spec.template.constraints.maxReplicas (1)",
    });
  });
});
