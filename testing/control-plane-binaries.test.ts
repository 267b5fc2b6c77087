import { describe, expect, it } from "vitest";
import { assertBinariesBuilt, controlPlaneBinaries } from "./control-plane-binaries";

describe("local control plane binaries", () => {
  it("reads the pinned versions from the Go modules in hack/", () => {
    const bins = controlPlaneBinaries();
    expect(bins.kubeVersion).toMatch(/^v1\.34\.\d+$/);
    expect(bins.etcdVersion).toMatch(/^v3\.6\.\d+$/);
    expect(bins.kwokVersion).toBe("v0.7.0");
    expect(bins.dir).toContain(`kube-${bins.kubeVersion}-etcd-${bins.etcdVersion}-kwok-${bins.kwokVersion}`);
  });

  it("tells the user to build them when they are missing, instead of skipping", () => {
    const bins = { ...controlPlaneBinaries(), dir: "/nonexistent/fleetdeck-bin" };
    expect(() => assertBinariesBuilt(bins)).toThrow(/run npm run cluster:build/);
  });
});
