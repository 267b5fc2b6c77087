import { describe, expect, it } from "vitest";
import { PROFILE_LABEL } from "../../../lib/autoscaling";
import type { AutoscalerObject } from "./controller";
import { autoscalerKeys, statusKeys, type StatusKey } from "./keys";

describe("status controller keys", () => {
  it("round-trip an autoscaler and a profile", () => {
    const keys: [StatusKey, string][] = [
      [{ kind: "autoscaler", namespace: "shop", name: "checkout" }, "dpa:shop/checkout"],
      [{ kind: "profile", name: "balanced" }, "profile:balanced"],
    ];
    for (const [key, text] of keys) {
      expect(statusKeys.encode(key)).toBe(text);
      expect(statusKeys.decode(text)).toEqual(key);
    }
  });

  it("refuse texts that are not keys", () => {
    for (const text of [
      "",
      "shop/checkout",
      "dpa:",
      "dpa:shop",
      "dpa:/checkout",
      "dpa:a/b/c",
      "profile:",
      "profile:a/b",
    ])
      expect(statusKeys.decode(text), text).toBeUndefined();
  });

  it("queue an autoscaler's profile with it", () => {
    const dpa = (labels?: Record<string, string>) =>
      ({ metadata: { namespace: "shop", name: "checkout", labels } }) as AutoscalerObject;
    expect(autoscalerKeys(dpa())).toEqual([{ kind: "autoscaler", namespace: "shop", name: "checkout" }]);
    expect(autoscalerKeys(dpa({ [PROFILE_LABEL]: "balanced" }))).toEqual([
      { kind: "autoscaler", namespace: "shop", name: "checkout" },
      { kind: "profile", name: "balanced" },
    ]);
  });
});
