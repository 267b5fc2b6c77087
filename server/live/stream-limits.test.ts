import { describe, expect, it } from "vitest";
import { StreamLimits } from "./stream-limits";

describe("StreamLimits", () => {
  it("holds at most perActor streams of one actor; another actor is not affected", () => {
    const limits = new StreamLimits({ perActor: 2, total: 10 });
    expect(limits.acquire("alice").ok).toBe(true);
    expect(limits.acquire("alice").ok).toBe(true);
    expect(limits.acquire("alice")).toEqual({
      ok: false,
      error: "too many live streams open for you (2): close some tabs of the dashboard",
    });
    expect(limits.acquire("bob").ok).toBe(true);
    expect(limits.size("alice")).toBe(2);
    expect(limits.size()).toBe(3);
  });

  it("holds at most total streams, and a released slot is free again (once)", () => {
    const limits = new StreamLimits({ perActor: 5, total: 3 });
    const slots = ["a", "b", "c"].map((actor) => limits.acquire(actor));
    expect(limits.acquire("d")).toEqual({
      ok: false,
      error: "the dashboard holds its most live streams (3): try again later",
    });
    const first = slots[0]!;
    if (!first.ok) throw new Error("the first slot was refused");
    first.release();
    first.release();
    expect(limits.size()).toBe(2);
    expect(limits.acquire("d").ok).toBe(true);
    expect(limits.acquire("e").ok).toBe(false);
  });
});
