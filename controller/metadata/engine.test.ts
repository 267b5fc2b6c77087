import { describe, expect, it } from "vitest";
import { decodeKey, encodeKey } from "./engine";

describe("queue keys", () => {
  it("round-trip <Kind>/<ns>/<name> and the delete: prefix", () => {
    const ref = { kind: "DatadogAgent", namespace: "datadog", name: "dd" };
    expect(encodeKey(ref)).toBe("DatadogAgent/datadog/dd");
    expect(decodeKey("DatadogAgent/datadog/dd")).toEqual({ ref, deleted: false });
    expect(decodeKey("delete:DatadogAgent/datadog/dd")).toEqual({ ref, deleted: true });
    expect(decodeKey("Namespace//kube-system")).toEqual({
      ref: { kind: "Namespace", namespace: "", name: "kube-system" },
      deleted: false,
    });
  });

  it("refuses malformed keys", () => {
    for (const key of ["", "DatadogAgent", "DatadogAgent/ns", "a/b/c/d", "/ns/name", "Kind/ns/"])
      expect(decodeKey(key), key).toBeUndefined();
  });
});
