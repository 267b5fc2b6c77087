import { describe, expect, it } from "vitest";
import { detailFields } from "./audit-details";

describe("detailFields", () => {
  it("labels each field, known ones as people name them, in the order written", () => {
    expect(
      detailFields({
        source: "dashboard",
        reason: null,
        auth: "local",
        client: "127.0.0.1",
        podStoreEager: true,
      }),
    ).toEqual([
      { label: "Source", value: "dashboard" },
      { label: "Reason", value: "—" },
      { label: "Signed in with", value: "local" },
      { label: "Client address", value: "127.0.0.1" },
      { label: "Pod store eager", value: "yes" },
    ]);
  });

  it("spells out nested objects and lists, and keeps deep structures as JSON", () => {
    expect(
      detailFields({
        deleted: 12,
        retention_days: 90,
        watches: ["datadogagents", "secrets"],
        none: [],
        health: { gate: { minReady: 0.9, deep: { x: 1 } } },
        mixed: [{ a: 1 }],
      }),
    ).toEqual([
      { label: "Deleted", value: "12" },
      { label: "Retention days", value: "90" },
      { label: "Watches", value: "datadogagents, secrets" },
      { label: "None", value: "none" },
      { label: "Health › Gate › Min ready", value: "0.9" },
      { label: "Health › Gate › Deep", value: '{"x":1}' },
      { label: "Mixed", value: '[{"a":1}]' },
    ]);
  });
});
