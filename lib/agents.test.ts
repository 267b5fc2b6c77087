import { describe, expect, it } from "vitest";
import { literalSecretPaths, redactSpec, REDACTED, secondsLeft } from "./agents";

describe("secret redaction", () => {
  const spec = {
    global: { credentials: { apiKey: "abc", apiSecret: { secretName: "s", keyName: "k" } } },
    override: {
      nodeAgent: {
        env: [
          { name: "DD_ENV", value: "prod" },
          { name: "DD_APP_KEY", value: "xyz" },
          { name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
        ],
      },
    },
  };

  it("finds literal secrets, not Secret references or ordinary values", () => {
    expect(literalSecretPaths(spec)).toEqual([
      "global.credentials.apiKey",
      "override.nodeAgent.env[1] (DD_APP_KEY)",
    ]);
    expect(
      literalSecretPaths({ override: { nodeAgent: { env: [{ name: "DD_ENV", value: "x" }] } } }),
    ).toEqual([]);
  });

  it("redacts a copy and says so; a clean spec is returned as is", () => {
    const { spec: redacted, redacted: flag } = redactSpec(spec);
    expect(flag).toBe(true);
    expect(JSON.stringify(redacted)).not.toContain("xyz");
    expect(JSON.stringify(redacted)).not.toContain('"abc"');
    expect(JSON.stringify(redacted)).toContain(REDACTED);
    expect(spec.override.nodeAgent.env[1]!.value).toBe("xyz"); // the input is untouched
    expect(redactSpec({ global: { site: "x" } })).toEqual({
      spec: { global: { site: "x" } },
      redacted: false,
    });
  });
});

describe("secondsLeft", () => {
  it("counts down from startedAt + timeout, and is null before the clock starts", () => {
    const now = Date.parse("2026-03-01T12:10:00Z");
    expect(secondsLeft("2026-03-01T12:00:00Z", 1800, now)).toBe(1200);
    expect(secondsLeft("2026-03-01T11:00:00Z", 1800, now)).toBe(-2400);
    expect(secondsLeft(null, 1800, now)).toBeNull();
  });
});
