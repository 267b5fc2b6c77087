import { describe, expect, it } from "vitest";
import { objectRefKeys } from "./engine";

describe("queue keys", () => {
  // Deletes are level-triggered (the object is gone from the cache when its key is processed),
  // so a key no longer carries a delete: prefix.
  it("round-trip <Kind>/<ns>/<name>", () => {
    const ref = { kind: "DatadogAgent", namespace: "datadog", name: "dd" };
    expect(objectRefKeys.encode(ref)).toBe("DatadogAgent/datadog/dd");
    expect(objectRefKeys.decode("DatadogAgent/datadog/dd")).toEqual(ref);
    expect(objectRefKeys.decode("Namespace//kube-system")).toEqual({
      kind: "Namespace",
      namespace: "",
      name: "kube-system",
    });
  });

  it("refuses malformed keys", () => {
    for (const key of ["", "DatadogAgent", "DatadogAgent/ns", "a/b/c/d", "/ns/name", "Kind/ns/"])
      expect(objectRefKeys.decode(key), key).toBeUndefined();
  });
});
