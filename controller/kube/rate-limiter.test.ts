import { describe, expect, it } from "vitest";
import { ControllerRateLimiter, ItemExponentialLimiter, TokenBucketLimiter } from "./rate-limiter";

describe("rate limiters (client-go's defaults)", () => {
  it("backs off per key from 5 ms, doubling, up to 1000 s", () => {
    const limiter = new ItemExponentialLimiter();
    expect([1, 2, 3, 4, 5].map(() => limiter.when("a"))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.when("b")).toBe(5);
    for (let i = 0; i < 40; i++) limiter.when("a");
    expect(limiter.when("a")).toBe(1_000_000);
    limiter.forget("a");
    expect(limiter.when("a")).toBe(5);
    expect(limiter.numRequeues("a")).toBe(1);
  });

  it("lets a burst of 100 through, then 10 per second", () => {
    let now = 0;
    const bucket = new TokenBucketLimiter(10, 100, () => now);
    const burst = Array.from({ length: 100 }, () => bucket.when());
    expect(burst.every((d) => d === 0)).toBe(true);
    expect(bucket.when()).toBe(100);
    expect(bucket.when()).toBe(200);
    now += 1000; // ten tokens come back
    expect(bucket.when()).toBe(0);
  });

  it("takes the larger of the two delays", () => {
    let now = 0;
    const limiter = new ControllerRateLimiter({}, () => now);
    for (let i = 0; i < 100; i++) limiter.when(`key-${i}`);
    // Fresh key: 5 ms by its own backoff, but the bucket is empty: 100 ms.
    expect(limiter.when("fresh")).toBe(100);
    now += 60_000;
    expect(limiter.when("fresh")).toBe(10);
  });
});
