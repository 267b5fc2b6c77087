import { describe, expect, it } from "vitest";
import { isSecretKey, redactSecrets } from "./redact";

describe("redactSecrets", () => {
  it("recognizes secret-looking keys and leaves references to secrets alone", () => {
    for (const key of [
      "apiKey",
      "appKey",
      "api_key",
      "DD_API_KEY",
      "token",
      "clusterAgentToken",
      "password",
      "dbPassword",
      "clientSecret",
      "secret",
      "awsAccessKey",
      "privateKey",
    ])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of ["secretName", "keyName", "site", "tokenTTL", "passwordPolicy", "name", "value"])
      expect(isSecretKey(key), key).toBe(false);
  });

  it("replaces non-empty scalars under secret keys, deeply, without touching the input", () => {
    const input = {
      datadog: { apiKey: "abc", appKey: "", site: "datadoghq.com", token: 1234 },
      clusterAgent: { tokenExistingSecret: "x", createSecret: true },
      list: [{ password: "p" }, "plain"],
      credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
      env: [
        { name: "DD_API_KEY", value: "k" },
        { name: "DD_SITE", value: "datadoghq.com" },
      ],
    };
    const copy = structuredClone(input);
    expect(redactSecrets(input)).toEqual({
      datadog: { apiKey: "[redacted]", appKey: "", site: "datadoghq.com", token: "[redacted]" },
      clusterAgent: { tokenExistingSecret: "[redacted]", createSecret: true },
      list: [{ password: "[redacted]" }, "plain"],
      credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
      env: [
        { name: "DD_API_KEY", value: "[redacted]" },
        { name: "DD_SITE", value: "datadoghq.com" },
      ],
    });
    expect(input).toEqual(copy);
  });
});
