import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../lib/env";
import { flagsToEnv } from "../../config";
import { loadSpotConfig } from "./config";

const outside = { namespace: "fleetdeck-system", inCluster: false };

describe("spot configuration", () => {
  it("has upstream's defaults and is off unless enabled", () => {
    const { config, warnings } = loadSpotConfig({}, outside);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      enabled: false,
      defaults: { percentage: 100, minOnDemand: 0 },
      scheduleTimeoutMs: 60_000,
      fallbackDurationMs: 120_000,
      rebalanceStabilizationMs: 60_000,
      loopIntervalMs: 10_000,
    });
    expect(config.webhook).toMatchObject({
      listen: { host: "0.0.0.0", port: 9443 },
      endpoint: { mode: "url", url: "https://127.0.0.1:9443/mutate" },
      configurationName: "fleetdeck-spot",
      timeoutSeconds: 3,
      secretName: "fleetdeck-spot-webhook-cert",
    });
  });

  it("reads the upstream keys as DD_ variables and as dotted flags", () => {
    const env = flagsToEnv([
      "--autoscaling.cluster.spot.enabled",
      "--autoscaling.cluster.spot.defaults.percentage=60",
      "--autoscaling.cluster.spot.defaults.min_on_demand_replicas=2",
      "--autoscaling.cluster.spot.schedule_timeout=30s",
      "--autoscaling.cluster.spot.fallback_duration=5m",
      "--autoscaling.cluster.spot.rebalance_stabilization_period=1m30s",
    ]);
    const { config } = loadSpotConfig(env, outside);
    expect(config).toMatchObject({
      enabled: true,
      defaults: { percentage: 60, minOnDemand: 2 },
      scheduleTimeoutMs: 30_000,
      fallbackDurationMs: 300_000,
      rebalanceStabilizationMs: 90_000,
    });
  });

  it("falls back to the built-in default, with a warning, for out-of-range values (3 for a negative minimum)", () => {
    const { config, warnings } = loadSpotConfig(
      {
        DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_PERCENTAGE: "150",
        DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_MIN_ON_DEMAND_REPLICAS: "-1",
        DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: "0",
        DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION: "-5s",
      },
      outside,
    );
    expect(config.defaults).toEqual({ percentage: 100, minOnDemand: 3 });
    expect(config.scheduleTimeoutMs).toBe(60_000);
    expect(config.fallbackDurationMs).toBe(120_000);
    expect(warnings).toEqual([
      "DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_PERCENTAGE=150 is out of range [0, 100], using 100",
      "DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_MIN_ON_DEMAND_REPLICAS=-1 is negative, using 3",
      "DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT is not positive, using 60s",
      "DD_AUTOSCALING_CLUSTER_SPOT_FALLBACK_DURATION is not positive, using 120s",
    ]);
  });

  it("refuses values of the wrong type, naming each variable", () => {
    let error: unknown;
    try {
      loadSpotConfig(
        {
          DD_AUTOSCALING_CLUSTER_SPOT_ENABLED: "maybe",
          DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_PERCENTAGE: "lots",
          DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: "10",
          FLEETDECK_SPOT_WEBHOOK_URL: "http://127.0.0.1:9443/mutate",
        },
        outside,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("DD_AUTOSCALING_CLUSTER_SPOT_ENABLED");
    expect(message).toContain("DD_AUTOSCALING_CLUSTER_SPOT_DEFAULTS_PERCENTAGE: expected an integer");
    expect(message).toContain('DD_AUTOSCALING_CLUSTER_SPOT_SCHEDULE_TIMEOUT: "10" is not a duration');
    expect(message).toContain("FLEETDECK_SPOT_WEBHOOK_URL: expected an https:// URL");
  });

  it("registers the webhook by URL outside the cluster and by Service inside it", () => {
    const url = loadSpotConfig({ FLEETDECK_SPOT_WEBHOOK_URL: "https://10.1.2.3:8443/mutate" }, outside).config
      .webhook;
    expect(url.endpoint).toEqual({ mode: "url", url: "https://10.1.2.3:8443/mutate" });
    expect(url.certHosts).toEqual(["10.1.2.3", "localhost", "127.0.0.1"]);

    const inCluster = loadSpotConfig({}, { namespace: "ops", inCluster: true }).config.webhook;
    expect(inCluster.endpoint).toEqual({
      mode: "service",
      namespace: "ops",
      name: "fleetdeck-webhook",
      port: 443,
    });
    expect(inCluster.certHosts).toContain("fleetdeck-webhook.ops.svc");

    const named = loadSpotConfig({ FLEETDECK_SPOT_WEBHOOK_SERVICE: "hooks:8443" }, outside).config.webhook;
    expect(named.endpoint).toEqual({
      mode: "service",
      namespace: "fleetdeck-system",
      name: "hooks",
      port: 8443,
    });
  });
});
