import { describe, expect, it } from "vitest";
import { literalSecretPaths, redactSpec, REDACTED, secondsLeft, withCurrentSecrets } from "./agents";

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
      "override.nodeAgent.env[1].value (DD_APP_KEY)",
    ]);
    expect(
      literalSecretPaths({ override: { nodeAgent: { env: [{ name: "DD_ENV", value: "x" }] } } }),
    ).toEqual([]);
  });

  // Issue 13: the agent and revision pages used a narrower redactor than the metadata payloads
  // (credentials and override env only), so these were stored and shown.
  it("finds what the metadata payloads redact too, anywhere in the spec", () => {
    expect(
      literalSecretPaths({
        global: { clusterAgentToken: "tok" },
        features: {
          postgres: { password: "pw" },
          checks: { "postgres.yaml": "instances:\n  - host: db\n    password: pw\n" },
        },
        override: { clusterAgent: { env: [{ name: "DATABASE_URL", value: "postgres://u:pw@db/x" }] } },
      }),
    ).toEqual([
      "global.clusterAgentToken",
      "features.postgres.password",
      'features.checks["postgres.yaml"] (YAML: instances[0].password)',
      "override.clusterAgent.env[0].value (DATABASE_URL)",
    ]);
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

describe("withCurrentSecrets (a restore keeps today's literal secrets)", () => {
  const revision = {
    global: { credentials: { apiKey: REDACTED }, site: "datadoghq.eu" },
    override: {
      nodeAgent: {
        env: [
          { name: "DD_ENV", value: "old" },
          { name: "DD_APP_KEY", value: REDACTED },
        ],
      },
    },
  };

  it("fills each redacted value from the current spec, env entries by name", () => {
    const current = {
      global: { credentials: { apiKey: "today-key" } },
      override: {
        nodeAgent: {
          env: [
            { name: "DD_APP_KEY", value: "today-app" },
            { name: "X", value: "y" },
          ],
        },
      },
    };
    expect(withCurrentSecrets(revision, current)).toEqual({
      spec: {
        global: { credentials: { apiKey: "today-key" }, site: "datadoghq.eu" },
        override: {
          nodeAgent: {
            env: [
              { name: "DD_ENV", value: "old" },
              { name: "DD_APP_KEY", value: "today-app" },
            ],
          },
        },
      },
      missing: [],
    });
  });

  it("lists what the current spec does not have; the dashboard's redacted view of it counts as having it", () => {
    expect(withCurrentSecrets(revision, { global: {} }).missing).toEqual([
      "global.credentials.apiKey",
      "override.nodeAgent.env[1].value",
    ]);
    const redactedCurrent = redactSpec({
      global: { credentials: { apiKey: "k" } },
      override: { nodeAgent: { env: [{ name: "DD_APP_KEY", value: "a" }] } },
    }).spec;
    expect(withCurrentSecrets(revision, redactedCurrent).missing).toHaveLength(2);
    expect(withCurrentSecrets(revision, redactedCurrent, { currentRedacted: true }).missing).toEqual([]);
  });
});
