import { describe, expect, it } from "vitest";
import { clusterDisplayName } from "./cluster";

describe("clusterDisplayName", () => {
  it("takes the configured name, else the kubeconfig's context", () => {
    expect(clusterDisplayName("prod-eu", "kwok-fleetdeck", "uid")).toBe("prod-eu");
    expect(clusterDisplayName(undefined, "kwok-fleetdeck", "uid")).toBe("kwok-fleetdeck");
  });
  it("makes a context a page's URL can carry", () => {
    expect(clusterDisplayName(undefined, "arn:aws:eks:eu-west-1:123:cluster/prod", "uid")).toBe(
      "arn:aws:eks:eu-west-1:123:cluster-prod",
    );
  });
  it("in a pod (no context), names the cluster by its id", () => {
    expect(clusterDisplayName(undefined, "inClusterContext", "0f1e2d3c-aaaa-bbbb")).toBe("cluster-0f1e2d3c");
    expect(clusterDisplayName(undefined, "", "0f1e2d3c-aaaa-bbbb")).toBe("cluster-0f1e2d3c");
  });
});
