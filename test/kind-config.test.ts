// config/kind/cluster.yaml gives kind the shape of the local cluster: on-demand workers, and
// spot workers with the capacity-type label and NoSchedule taint the spot scheduler expects.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";

const KEY = "autoscaling.datadoghq.com/capacity-type";
interface KindNode {
  role: string;
  labels?: Record<string, string>;
  kubeadmConfigPatches?: string[];
}

describe("config/kind/cluster.yaml", () => {
  const cluster = YAML.parse(fs.readFileSync(path.resolve("config/kind/cluster.yaml"), "utf8")) as {
    kind: string;
    apiVersion: string;
    nodes: KindNode[];
  };
  const workers = cluster.nodes.filter((n) => n.role === "worker");
  const spot = workers.filter((n) => n.labels?.[KEY] === "interruptible");

  it("is a kind cluster with on-demand and spot workers", () => {
    expect(cluster).toMatchObject({ kind: "Cluster", apiVersion: "kind.x-k8s.io/v1alpha4" });
    expect(cluster.nodes.filter((n) => n.role === "control-plane")).toHaveLength(1);
    expect(spot.length).toBeGreaterThanOrEqual(2);
    expect(workers.length - spot.length).toBeGreaterThanOrEqual(2);
  });

  it("taints every spot worker, and only those, interruptible:NoSchedule at join", () => {
    for (const node of workers) {
      const taints = (node.kubeadmConfigPatches ?? []).flatMap(
        (patch) =>
          (YAML.parse(patch) as { nodeRegistration?: { taints?: unknown[] } }).nodeRegistration?.taints ?? [],
      );
      expect(taints).toEqual(
        spot.includes(node) ? [{ key: KEY, value: "interruptible", effect: "NoSchedule" }] : [],
      );
    }
  });
});
