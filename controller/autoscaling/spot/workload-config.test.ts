import { describe, expect, it } from "vitest";
import { parseDisabledUntil, parseSpotConfig } from "./workload-config";

const defaults = { percentage: 100, minOnDemand: 0 };

describe("spot-config annotation", () => {
  it("overrides the defaults field by field", () => {
    expect(parseSpotConfig('{"percentage":50,"minOnDemandReplicas":1}', defaults)).toEqual({
      settings: { percentage: 50, minOnDemand: 1 },
    });
    expect(parseSpotConfig('{"percentage":70}', defaults)).toEqual({
      settings: { percentage: 70, minOnDemand: 0 },
    });
    expect(parseSpotConfig(undefined, defaults)).toEqual({ settings: defaults });
  });

  it("keeps the default of a bad field and says why", () => {
    const result = parseSpotConfig('{"percentage":150,"minOnDemandReplicas":2}', defaults);
    expect(result.settings).toEqual({ percentage: 100, minOnDemand: 2 });
    expect(result.error).toMatch(/percentage must be an integer from 0 to 100 \(using 100\)/);
    expect(parseSpotConfig('{"minOnDemandReplicas":-1}', defaults).error).toMatch(/non-negative integer/);
    expect(parseSpotConfig("{oops", defaults)).toEqual({
      settings: defaults,
      error: "autoscaling.datadoghq.com/spot-config is not valid JSON; using the defaults",
    });
    expect(parseSpotConfig("[1]", defaults).error).toMatch(/must be a JSON object/);
  });
});

describe("spot-disabled-until annotation", () => {
  it("reads RFC 3339 times and treats anything else as enabled", () => {
    expect(parseDisabledUntil("2026-11-23T10:00:00Z")).toBe(Date.UTC(2026, 10, 23, 10));
    expect(parseDisabledUntil("2026-11-23T11:00:00+01:00")).toBe(Date.UTC(2026, 10, 23, 10));
    expect(parseDisabledUntil("tomorrow")).toBeUndefined();
    expect(parseDisabledUntil("2026-11-23")).toBeUndefined();
    expect(parseDisabledUntil(undefined)).toBeUndefined();
  });
});
