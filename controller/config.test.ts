import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/env";
import { flagEnvName, flagsToEnv, loadControllerConfig } from "./config";

describe("controller configuration", () => {
  it("has working defaults", () => {
    const config = loadControllerConfig({}, []);
    expect(config.FLEETDECK_HEALTH_ADDR).toEqual({ host: "127.0.0.1", port: 8081 });
    expect(config.FLEETDECK_HEARTBEAT_SECONDS).toBe(3);
    expect(config.FLEETDECK_NAMESPACE).toBe("fleetdeck-system");
    expect(config.FLEETDECK_LEADER_ELECT).toBe(true);
  });

  it("maps flags to the environment names they stand for", () => {
    expect(flagEnvName("kubeconfig")).toBe("KUBECONFIG");
    expect(flagEnvName("health-addr")).toBe("FLEETDECK_HEALTH_ADDR");
    expect(flagEnvName("autoscaling.cluster.spot.enabled")).toBe("DD_AUTOSCALING_CLUSTER_SPOT_ENABLED");
    expect(flagsToEnv(["--health-addr=0.0.0.0:9000", "--kubeconfig", "/tmp/kc", "--leader-elect"])).toEqual({
      FLEETDECK_HEALTH_ADDR: "0.0.0.0:9000",
      KUBECONFIG: "/tmp/kc",
      FLEETDECK_LEADER_ELECT: "true",
    });
  });

  it("lets a flag override the environment", () => {
    const config = loadControllerConfig({ FLEETDECK_HEARTBEAT_SECONDS: "5" }, ["--heartbeat-seconds=7"]);
    expect(config.FLEETDECK_HEARTBEAT_SECONDS).toBe(7);
  });

  it("names every bad variable in one error", () => {
    let error: unknown;
    try {
      loadControllerConfig(
        { FLEETDECK_HEARTBEAT_SECONDS: "soon", FLEETDECK_HEALTH_ADDR: "nope", LOG_LEVEL: "loud" },
        [],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("FLEETDECK_HEARTBEAT_SECONDS");
    expect(message).toContain("FLEETDECK_HEALTH_ADDR");
    expect(message).toContain("LOG_LEVEL");
  });

  it("refuses unknown flags and stray arguments", () => {
    expect(() => loadControllerConfig({}, ["--no-such-flag=1"])).toThrow(
      /unknown flag\(s\): FLEETDECK_NO_SUCH_FLAG/,
    );
    expect(() => loadControllerConfig({}, ["stray"])).toThrow(/unexpected argument "stray"/);
  });

  it("takes lease timings in seconds, fractions allowed, with client-go's defaults", () => {
    const defaults = loadControllerConfig({}, []);
    expect([
      defaults.FLEETDECK_LEASE_DURATION_SECONDS,
      defaults.FLEETDECK_RENEW_DEADLINE_SECONDS,
      defaults.FLEETDECK_RETRY_PERIOD_SECONDS,
    ]).toEqual([15, 10, 2]);
    const short = loadControllerConfig(
      {
        FLEETDECK_LEASE_DURATION_SECONDS: "3",
        FLEETDECK_RENEW_DEADLINE_SECONDS: "2",
        FLEETDECK_RETRY_PERIOD_SECONDS: "0.5",
      },
      [],
    );
    expect(short.FLEETDECK_RETRY_PERIOD_SECONDS).toBe(0.5);
  });

  it("refuses lease timings out of order, naming the three", () => {
    expect(() => loadControllerConfig({ FLEETDECK_RENEW_DEADLINE_SECONDS: "15" }, [])).toThrow(
      /FLEETDECK_LEASE_DURATION_SECONDS \(15\) > FLEETDECK_RENEW_DEADLINE_SECONDS \(15\) > FLEETDECK_RETRY_PERIOD_SECONDS \(2\)/,
    );
    expect(() => loadControllerConfig({ FLEETDECK_RETRY_PERIOD_SECONDS: "10" }, [])).toThrow(ConfigError);
    expect(() => loadControllerConfig({ FLEETDECK_RETRY_PERIOD_SECONDS: "0" }, [])).toThrow(
      /FLEETDECK_RETRY_PERIOD_SECONDS/,
    );
  });

  it("treats empty variables as unset", () => {
    expect(loadControllerConfig({ FLEETDECK_HEARTBEAT_SECONDS: "" }, []).FLEETDECK_HEARTBEAT_SECONDS).toBe(3);
  });

  it("reads the cluster's labels, and names a bad one", () => {
    expect(loadControllerConfig({}, []).FLEETDECK_CLUSTER_LABELS).toEqual({});
    expect(
      loadControllerConfig({ FLEETDECK_CLUSTER_LABELS: "env=prod,region=eu" }, []).FLEETDECK_CLUSTER_LABELS,
    ).toEqual({ env: "prod", region: "eu" });
    expect(() => loadControllerConfig({}, ["--cluster-labels=env"])).toThrow(
      /FLEETDECK_CLUSTER_LABELS: "env" is not key=value/,
    );
  });
});
