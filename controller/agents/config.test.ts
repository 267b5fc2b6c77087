import { describe, expect, it } from "vitest";
import { loadControllerConfig } from "../config";
import { DATADOG_SITES } from "./endpoint-policy";

const endpoints = (env: Record<string, string>) =>
  loadControllerConfig(env, []).agents.FLEETDECK_ALLOWED_ENDPOINTS;

describe("the agents feature's configuration", () => {
  it("reads the endpoint allowlist as hosts or URLs (Datadog's sites by default), and names a bad entry", () => {
    expect(endpoints({})).toEqual([...DATADOG_SITES]);
    expect(endpoints({ FLEETDECK_ALLOWED_ENDPOINTS: "datadoghq.com, http://proxy.corp:3128" })).toEqual([
      "datadoghq.com",
      "http://proxy.corp:3128",
    ]);
    expect(endpoints({ FLEETDECK_ALLOWED_ENDPOINTS: "*" })).toBe("any");
    expect(() => endpoints({ FLEETDECK_ALLOWED_ENDPOINTS: "datadoghq.com,not a host" })).toThrow(
      /FLEETDECK_ALLOWED_ENDPOINTS.*not a host or URL: not a host/,
    );
  });
});
