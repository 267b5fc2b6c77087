import { describe, expect, it } from "vitest";
import { ConfigError } from "../../lib/env";
import { loadMetadataConfig } from "./config";

describe("metadata configuration", () => {
  it("defaults: off without an API key, the US1 intake, upstream's heartbeats and workers", () => {
    const config = loadMetadataConfig({});
    expect(config.apiKey).toBeUndefined();
    expect(config.intakeUrl).toBe("https://app.datadoghq.com/api/v1/metadata");
    expect(config.crdHeartbeatMs).toBe(600_000);
    expect(config.helmHeartbeatMs).toBe(300_000);
    expect(config.workers).toBe(3);
    expect(config.helm.charts).toEqual(["datadog", "datadog-operator", "datadog-agent"]);
  });

  it("bounds what a Helm release and the send log may hold", () => {
    const config = loadMetadataConfig({});
    expect(config.helm.maxReleaseBytes).toBe(1024 * 1024);
    expect(config.sendLog.maxPayloadBytes).toBe(256 * 1024);
    expect(config.sendLog.maxTotalBytes).toBe(64 * 1024 * 1024);
    expect(config.helm.namespaces).toEqual([]);
  });

  it("limits the Helm forwarder to listed namespaces, and names a bad one", () => {
    expect(
      loadMetadataConfig({ FLEETDECK_METADATA_HELM_NAMESPACES: " datadog, monitoring ,datadog" }).helm
        .namespaces,
    ).toEqual(["datadog", "monitoring"]);
    expect(() =>
      loadMetadataConfig({ FLEETDECK_METADATA_HELM_NAMESPACES: "datadog,Not_A_Namespace" }),
    ).toThrow(/FLEETDECK_METADATA_HELM_NAMESPACES.*expected namespace names/);
  });

  it("builds the intake URL from DD_SITE, or DD_URL's scheme and host", () => {
    expect(loadMetadataConfig({ DD_SITE: "datadoghq.eu" }).intakeUrl).toBe(
      "https://app.datadoghq.eu/api/v1/metadata",
    );
    expect(
      loadMetadataConfig({ DD_SITE: "datadoghq.eu", DD_URL: "http://user:pw@127.0.0.1:8090/ignored/path" })
        .intakeUrl,
    ).toBe("http://127.0.0.1:8090/api/v1/metadata");
  });

  it("names every bad variable, never echoing the API key", () => {
    let message = "";
    try {
      loadMetadataConfig({
        DD_API_KEY: "super-secret-value",
        DD_URL: "ftp://x",
        FLEETDECK_METADATA_WORKERS: "0",
        FLEETDECK_METADATA_CRD_HEARTBEAT_SECONDS: "soon",
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("DD_URL");
    expect(message).toContain("FLEETDECK_METADATA_WORKERS");
    expect(message).toContain("FLEETDECK_METADATA_CRD_HEARTBEAT_SECONDS");
    expect(message).not.toContain("super-secret-value");
  });
});
