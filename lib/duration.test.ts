import { describe, expect, it } from "vitest";
import { formatDuration, parseGoDuration } from "./duration";

describe("Go durations", () => {
  it("parses what Go's time.ParseDuration accepts", () => {
    expect(parseGoDuration("1m")).toBe(60_000);
    expect(parseGoDuration("2m")).toBe(120_000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("500ms")).toBe(500);
    expect(parseGoDuration("1.5s")).toBe(1500);
    expect(parseGoDuration("2h")).toBe(7_200_000);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("-5s")).toBe(-5000);
  });

  it("refuses anything else with a message that says what a duration looks like", () => {
    for (const bad of ["", "10", "1x", "m", "1m 30s", "s1", "-"]) {
      expect(() => parseGoDuration(bad), bad).toThrow(/is not a duration \(e\.g\. 30s/);
    }
  });

  it("formats milliseconds back", () => {
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(60_000)).toBe("1m");
    expect(formatDuration(3_600_000)).toBe("1h");
    expect(formatDuration(10_000)).toBe("10s");
    expect(formatDuration(250)).toBe("250ms");
  });
});
