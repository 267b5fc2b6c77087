import { describe, expect, it } from "vitest";
import { loadControllerConfig } from "../../config";
import { loadAutoscalersConfig } from "./config";

describe("workload autoscaling configuration", () => {
  it("is off by default, with the transform on and a 10 s resync", () => {
    expect(loadAutoscalersConfig({})).toEqual({
      enabled: false,
      resyncMs: 10_000,
      podCacheTransform: true,
    });
  });

  it("reads upstream's key and fleetdeck's own settings", () => {
    expect(
      loadAutoscalersConfig({
        DD_AUTOSCALING_WORKLOAD_ENABLED: "true",
        FLEETDECK_AUTOSCALER_RESYNC: "1m30s",
        FLEETDECK_POD_CACHE_TRANSFORM: "false",
      }),
    ).toEqual({ enabled: true, resyncMs: 90_000, podCacheTransform: false });
  });

  it("names a bad value", () => {
    expect(() => loadAutoscalersConfig({ DD_AUTOSCALING_WORKLOAD_ENABLED: "maybe" })).toThrow(
      /DD_AUTOSCALING_WORKLOAD_ENABLED/,
    );
    expect(() => loadAutoscalersConfig({ FLEETDECK_AUTOSCALER_RESYNC: "10ms" })).toThrow(
      /FLEETDECK_AUTOSCALER_RESYNC: must be at least 100ms/,
    );
  });

  it("accepts its flags on the controller's command line", () => {
    expect(() =>
      loadControllerConfig({}, [
        "--autoscaling.workload.enabled=true",
        "--autoscaler-resync=5s",
        "--pod-cache-transform=false",
      ]),
    ).not.toThrow();
  });
});
