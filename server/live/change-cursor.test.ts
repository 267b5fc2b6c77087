import { describe, expect, it } from "vitest";
import { ChangeCursor } from "./change-cursor";

const rows = (...ids: number[]) => ids.map((id) => ({ id }));

describe("ChangeCursor", () => {
  it("delivers rows in order and moves its watermark with them", () => {
    const c = new ChangeCursor(10);
    expect(c.take(rows(11, 12, 13)).map((r) => r.id)).toEqual([11, 12, 13]);
    expect(c.watermark).toBe(13);
  });

  it("delivers a row that commits after a higher id, once, and holds the watermark below it meanwhile", () => {
    const c = new ChangeCursor(10, 5_000);
    expect(c.take(rows(11, 13), 0).map((r) => r.id)).toEqual([11, 13]);
    expect(c.watermark).toBe(11);
    // The next read starts at the watermark: 13 comes again and is not delivered twice.
    expect(c.take(rows(13), 100)).toEqual([]);
    expect(c.take(rows(12, 13, 14), 200).map((r) => r.id)).toEqual([12, 14]);
    expect(c.watermark).toBe(14);
  });

  it("steps over an id that never commits (a rolled-back transaction) after gapMs", () => {
    const c = new ChangeCursor(0, 1_000);
    c.take(rows(1, 3), 0);
    expect(c.watermark).toBe(1);
    c.take(rows(3), 999);
    expect(c.watermark).toBe(1);
    c.take(rows(3, 4), 1_000);
    expect(c.watermark).toBe(4);
  });

  it("reads enough rows past a gap to see new ones", () => {
    const c = new ChangeCursor(0);
    c.take(rows(2, 3, 4), 0);
    expect(c.limit(500)).toBe(503);
  });

  it("gives up on a gap at once when too many rows wait above it", () => {
    const c = new ChangeCursor(0, 60_000, 2);
    c.take(rows(2, 3, 4), 0);
    expect(c.watermark).toBe(4);
  });
});
