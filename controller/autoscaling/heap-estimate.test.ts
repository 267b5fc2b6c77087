import { describe, expect, it } from "vitest";
import { estimateMapEntryBytes, estimateRetainedBytes } from "./heap-estimate";
import { slimPod } from "./pod-cache";

describe("heap estimate", () => {
  it("counts headers, properties and string lengths", () => {
    expect(estimateRetainedBytes("")).toBe(16);
    expect(estimateRetainedBytes("abcdefghi")).toBe(32); // 16 + 9, rounded up to 8
    expect(estimateRetainedBytes(7)).toBe(0); // a small integer lives in its slot
    expect(estimateRetainedBytes(1.5)).toBe(16);
    expect(estimateRetainedBytes({ a: 1 })).toBe(32);
    expect(estimateRetainedBytes(["x"])).toBe(48 + 8 + 24);
    expect(estimateMapEntryBytes("ns/name")).toBe(24 + 24);
  });

  it("puts a slim pod well under the whole one", () => {
    const raw = {
      metadata: {
        name: "app-12345",
        namespace: "gate-bench",
        uid: "0f8a4c1e-5a4b-4f0e-9b9b-3c2d1e0f9a8b",
        resourceVersion: "123456",
        creationTimestamp: "2026-11-23T01:00:00Z",
        labels: { app: "app-45", "pod-template-hash": "5d8f7c9b6f" },
        managedFields: [
          { manager: "kubectl", operation: "Update", fieldsV1: { "f:spec": { "f:containers": {} } } },
        ],
      },
      spec: {
        nodeName: "kwok-bench-5",
        containers: [
          { name: "app", image: "registry.example.com/app:1", env: [{ name: "DD_ENV", value: "prod" }] },
        ],
      },
      status: { phase: "Running", podIP: "10.0.0.1", conditions: [{ type: "Ready", status: "True" }] },
    };
    const slim = estimateRetainedBytes(slimPod(raw));
    expect(slim).toBeLessThan(1024);
    expect(estimateRetainedBytes(raw)).toBeGreaterThan(slim * 2);
  });
});
