import { describe, expect, it } from "vitest";
import { decodeLabels, formatLabels, matchesSelector, parseLabels, parseSelector } from "./labels";

describe("parseLabels (FLEETDECK_CLUSTER_LABELS)", () => {
  it("reads key=value pairs, spaces around items allowed, an empty text as none", () => {
    expect(parseLabels("env=prod,region=eu")).toEqual({ env: "prod", region: "eu" });
    expect(parseLabels(" env = prod , tier=1 ,")).toEqual({ env: "prod", tier: "1" });
    expect(parseLabels("")).toEqual({});
    expect(parseLabels("fleetdeck.dev/ring=canary,empty=")).toEqual({
      "fleetdeck.dev/ring": "canary",
      empty: "",
    });
  });

  it.each([
    ["env", `"env" is not key=value`],
    ["env=prod,env=dev", "label env is given twice"],
    ["-env=prod", `label key "-env"`],
    ["Bad_Prefix/x=1", `label key "Bad_Prefix/x"`],
    ["env=not ok", `the value "not ok"`],
    [`env=${"x".repeat(64)}`, "at most 63"],
  ])("refuses %j, naming the item", (text, message) => {
    expect(() => parseLabels(text)).toThrow(message);
  });

  it("formats sorted, and decodes only string values from JSON", () => {
    expect(formatLabels({ region: "eu", env: "prod" })).toBe("env=prod,region=eu");
    expect(decodeLabels('{"env":"prod","n":1}')).toEqual({ env: "prod" });
    expect(decodeLabels("not json")).toEqual({});
    expect(decodeLabels(null)).toEqual({});
  });
});

describe("label selectors (kubectl -l)", () => {
  const prodEu = { env: "prod", region: "eu" };
  const stagingUs = { env: "staging", region: "us", gpu: "true" };
  it.each([
    ["", true, true],
    ["env=prod", true, false],
    ["env==prod", true, false],
    ["env!=prod", false, true],
    ["region in (eu, us)", true, true],
    ["region in (us)", false, true],
    ["region notin (us)", true, false],
    ["gpu", false, true],
    ["!gpu", true, false],
    ["env=prod,region=eu", true, false],
    ["env=prod,region=us", false, false],
    ["tier!=gold", true, true],
    ["tier notin (gold)", true, true],
    ["tier in (gold)", false, false],
  ])("%j matches prod/eu: %s, staging/us: %s", (text, a, b) => {
    const selector = parseSelector(text);
    expect(matchesSelector(selector, prodEu)).toBe(a);
    expect(matchesSelector(selector, stagingUs)).toBe(b);
  });

  it("parses every operator", () => {
    expect(parseSelector("a=1, b!=2, c in (x,y), d notin (z), e, !f")).toEqual([
      { key: "a", op: "=", value: "1" },
      { key: "b", op: "!=", value: "2" },
      { key: "c", op: "in", values: ["x", "y"] },
      { key: "d", op: "notin", values: ["z"] },
      { key: "e", op: "exists" },
      { key: "f", op: "!exists" },
    ]);
  });

  it.each([
    ["env=prod,", "ends with a comma"],
    ["env in ()", "needs at least one value"],
    ["!env=prod", "takes no value"],
    ["env=pr od", "cannot read"],
    ["env in (a", "cannot read"],
    ["-bad=1", `label key "-bad"`],
  ])("refuses %j", (text, message) => {
    expect(() => parseSelector(text)).toThrow(message);
  });
});
