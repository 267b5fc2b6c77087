import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-redirect";

describe("safeNextPath", () => {
  it.each([
    "/",
    "/audit",
    "/agents/datadog/web?tab=history#rev",
    "/audit?action=command.applied&actor=alice%40example.com",
    "/audit?actor=a%20b%2F%2Fc",
  ])("keeps the same-origin path %s", (path) => expect(safeNextPath(path)).toBe(path));

  it.each([
    "//evil.example",
    "//evil.example/x",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%255C%255Cevil.example",
    "/%252F%252Fevil.example",
    "https:evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    " /audit",
    "/audit\n",
    "",
    "/" + "a".repeat(3000),
  ])("replaces %j by /", (next) => expect(safeNextPath(next)).toBe("/"));

  it("refuses what is not a string", () => {
    for (const value of [null, undefined, 42, ["/audit"]]) expect(safeNextPath(value)).toBe("/");
  });
});
