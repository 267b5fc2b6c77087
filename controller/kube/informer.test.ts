// What every informer keeps of managedFields: who wrote which top-level field (and which
// annotation), and when.
import { describe, expect, it } from "vitest";
import { compactManagedFields, type KubeObject } from "./informer";

const agent = (managedFields?: unknown[]): KubeObject => ({
  apiVersion: "datadoghq.com/v2alpha1",
  kind: "DatadogAgent",
  metadata: { name: "a", namespace: "ns", resourceVersion: "7", ...(managedFields ? { managedFields } : {}) },
  spec: { global: { site: "datadoghq.com" } },
});

describe("compactManagedFields", () => {
  it("keeps manager, operation, time, subresource and the top-level fields, nothing below", () => {
    const raw = agent([
      {
        manager: "kubectl-edit",
        operation: "Update",
        apiVersion: "datadoghq.com/v2alpha1",
        time: "2026-12-05T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": { "f:global": { "f:site": {}, "f:tags": {} } },
          "f:metadata": { "f:labels": {} },
        },
      },
      {
        manager: "fleetdeck",
        operation: "Update",
        time: "2026-12-05T10:00:01Z",
        subresource: "status",
        fieldsV1: { "f:status": { "f:conditions": {} } },
      },
    ]);
    expect(compactManagedFields(raw).metadata.managedFields).toEqual([
      {
        manager: "kubectl-edit",
        operation: "Update",
        time: "2026-12-05T10:00:00Z",
        fieldsV1: { "f:spec": {}, "f:metadata": {} },
      },
      {
        manager: "fleetdeck",
        operation: "Update",
        time: "2026-12-05T10:00:01Z",
        subresource: "status",
        fieldsV1: { "f:status": {} },
      },
    ]);
  });

  it("keeps which annotations a manager wrote (a signal annotation's writer is named from them)", () => {
    const raw = agent([
      {
        manager: "fleet-daemon",
        operation: "Update",
        fieldsV1: {
          "f:metadata": {
            "f:annotations": { ".": {}, "f:experiment.datadoghq.com/signal": {} },
            "f:labels": { "f:x": {} },
          },
        },
      },
    ]);
    expect(compactManagedFields(raw).metadata.managedFields).toEqual([
      {
        manager: "fleet-daemon",
        operation: "Update",
        fieldsV1: { "f:metadata": { "f:annotations": { ".": {}, "f:experiment.datadoghq.com/signal": {} } } },
      },
    ]);
  });

  it("leaves everything else as it was, and an object without managedFields untouched", () => {
    const raw = agent([{ manager: "m", fieldsV1: { "f:spec": { "f:x": {} } } }]);
    const { managedFields: _dropped, ...metadata } = compactManagedFields(raw).metadata;
    const { managedFields: _original, ...expected } = raw.metadata;
    expect(metadata).toEqual(expected);
    expect(compactManagedFields(raw).spec).toBe(raw.spec);
    const bare = agent();
    expect(compactManagedFields(bare)).toBe(bare);
  });
});
