import { describe, expect, it } from "vitest";
import { slimPod } from "./pod-cache";

describe("pod cache transform", () => {
  it("keeps only the fields its consumers read", () => {
    const raw = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "web-7d9c5b-abcde",
        namespace: "shop",
        uid: "u-1",
        resourceVersion: "42",
        creationTimestamp: "2026-11-23T10:00:00Z",
        labels: {
          app: "web",
          "pod-template-hash": "7d9c5b",
          "autoscaling.datadoghq.com/spot-assigned": "true",
        },
        annotations: { "kubectl.kubernetes.io/restartedAt": "x" },
        managedFields: [{ manager: "kube-controller-manager" }],
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9c5b", uid: "rs", controller: true },
          { apiVersion: "v1", kind: "ConfigMap", name: "other", uid: "cm" },
        ],
      },
      spec: {
        nodeName: "kwok-spot-0",
        nodeSelector: { "autoscaling.datadoghq.com/capacity-type": "interruptible", zone: "a" },
        containers: [{ name: "c", image: "i", env: [{ name: "A", value: "1" }] }],
        tolerations: [{ key: "k" }],
      },
      status: { phase: "Running", podIP: "10.0.0.1", conditions: [{ type: "Ready" }] },
    };
    expect(slimPod(raw)).toEqual({
      metadata: {
        name: "web-7d9c5b-abcde",
        namespace: "shop",
        uid: "u-1",
        resourceVersion: "42",
        creationTimestamp: "2026-11-23T10:00:00Z",
        labels: { "pod-template-hash": "7d9c5b", "autoscaling.datadoghq.com/spot-assigned": "true" },
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9c5b", uid: "rs" }],
      },
      spec: {
        nodeName: "kwok-spot-0",
        nodeSelector: { "autoscaling.datadoghq.com/capacity-type": "interruptible" },
      },
      status: { phase: "Running" },
    });
  });

  it("keeps a terminating pod's deletionTimestamp and leaves absent fields out", () => {
    const slim = slimPod({
      metadata: { name: "p", namespace: "n", deletionTimestamp: "2026-11-23T10:00:00Z" },
      spec: {},
      status: { phase: "Pending" },
    });
    expect(slim.metadata.deletionTimestamp).toBe("2026-11-23T10:00:00Z");
    expect(slim.metadata.labels).toBeUndefined();
    expect(slim.metadata.ownerReferences).toBeUndefined();
    expect(slim.spec).toEqual({});
  });
});
