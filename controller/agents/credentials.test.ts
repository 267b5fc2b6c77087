import { describe, expect, it } from "vitest";
import { credentialsOf, credentialsSecretName } from "./credentials";

describe("credentialsOf (the operator's credential rules)", () => {
  it("a literal key goes to <agent>-secret under upstream's key names", () => {
    expect(credentialsSecretName("datadog")).toBe("datadog-secret");
    expect(credentialsOf("datadog", { global: { credentials: { apiKey: "a1", appKey: "b2" } } })).toEqual({
      apiKey: { name: "datadog-secret", key: "api_key", from: "global.credentials.apiKey" },
      appKey: { name: "datadog-secret", key: "app_key", from: "global.credentials.appKey" },
      owned: { api_key: "a1", app_key: "b2" },
    });
  });

  it("a complete Secret reference wins and makes nothing; a mix keeps only the literal one", () => {
    expect(
      credentialsOf("dd", {
        global: {
          credentials: { apiSecret: { secretName: "s", keyName: "api-key" }, appKey: "b2" },
        },
      }),
    ).toEqual({
      apiKey: { name: "s", key: "api-key", from: "global.credentials.apiSecret" },
      appKey: { name: "dd-secret", key: "app_key", from: "global.credentials.appKey" },
      owned: { app_key: "b2" },
    });
  });

  it("no key at all: nothing (the agent is shown failing, NoAPIKey)", () => {
    expect(credentialsOf("dd", {})).toEqual({});
    expect(credentialsOf("dd", { global: { credentials: { apiKey: "" } } })).toEqual({});
  });
});
