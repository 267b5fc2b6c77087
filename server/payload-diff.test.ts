import { describe, expect, it } from "vitest";
import { diffPayloads, MAX_BYTES, MAX_CHANGED_LINES } from "./payload-diff";

/** `count` lines of about 35 characters, each unique to `tag`. */
const lines = (tag: string, count: number) =>
  Array.from({ length: count }, (_, i) => `key_${tag}_${i}: value-${tag}-${i}-${"x".repeat(12)}\n`).join("");

describe("diffPayloads", () => {
  it("diffs two payloads line by line", () => {
    expect(diffPayloads("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 5\nc: 3\n")).toEqual({
      parts: [
        { kind: "same", text: "a: 1\n" },
        { kind: "removed", text: "b: 2\n" },
        { kind: "added", text: "b: 5\n" },
        { kind: "same", text: "c: 3\n" },
      ],
    });
  });

  it("still diffs large payloads that differ in a few lines", () => {
    const before = lines("a", 5_000);
    const after = before.replace("key_a_2500: value-a-2500", "key_a_2500: value-b-2500");
    const diff = diffPayloads(before, after);
    expect("parts" in diff && diff.parts.filter((p) => p.kind !== "same")).toEqual([
      { kind: "removed", text: expect.stringContaining("value-a-2500") },
      { kind: "added", text: expect.stringContaining("value-b-2500") },
    ]);
  });

  it("gives up on two ~70 KB payloads of disjoint lines instead of running a quadratic diff", () => {
    const [before, after] = [lines("a", 2_000), lines("b", 2_000)];
    expect(before.length).toBeGreaterThan(70_000);
    expect(diffPayloads(before, after)).toEqual({
      skipped: `too different to diff (more than ${MAX_CHANGED_LINES} changed lines): here are both`,
    });
  });

  it("does not try past its size cap", () => {
    const big = "x".repeat(MAX_BYTES / 2 + 1);
    expect(diffPayloads(big, big)).toEqual({
      skipped: `too large to diff (${MAX_BYTES + 2} characters): here are both`,
    });
  });
});
