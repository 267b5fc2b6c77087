// The cluster models derived from the generated client match the schema they were generated
// from: every model of prisma/models.prisma with a clusterId field, and no other.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLUSTER_MODELS, delegateOf } from "./cluster-models";

const schema = fs.readFileSync(path.resolve(import.meta.dirname, "../../prisma/models.prisma"), "utf8");

describe("cluster models", () => {
  it("are the models of prisma/models.prisma with a clusterId field", () => {
    const withClusterId = [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)]
      .filter(([, , body]) => /^\s+clusterId\s/m.test(body!))
      .map(([, name]) => name);
    expect(withClusterId.length).toBeGreaterThan(10);
    expect([...CLUSTER_MODELS].sort()).toEqual(withClusterId.sort());
    expect(CLUSTER_MODELS).not.toContain("Cluster");
    expect(CLUSTER_MODELS).not.toContain("Session");
  });

  it("name their client delegates", () => {
    expect(delegateOf("AuditEvent")).toBe("auditEvent");
    expect(delegateOf("PodAutoscalerProfile")).toBe("podAutoscalerProfile");
  });
});
