import { describe, expect, it } from "vitest";
import { LoginThrottle, type ThrottleOptions } from "./login-throttle";

const options: ThrottleOptions = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  forgetAfterMs: 60_000,
  maxClients: 3,
};

function throttle() {
  let now = 0;
  const t = new LoginThrottle(options, () => now);
  return { t, advance: (ms: number) => (now += ms) };
}

describe("LoginThrottle", () => {
  it("lets a few failures pass, then doubles the wait with each further one, up to the cap", () => {
    const { t } = throttle();
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      t.failed("10.0.0.1");
      waits.push(t.retryAfterMs("10.0.0.1"));
    }
    expect(waits).toEqual([0, 0, 0, 1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it("never slows down another address: one guesser does not lock everyone out", () => {
    const { t } = throttle();
    for (let i = 0; i < 50; i++) t.failed("203.0.113.9");
    expect(t.retryAfterMs("203.0.113.9")).toBe(8_000);
    expect(t.retryAfterMs("198.51.100.7")).toBe(0);
  });

  it("opens again once the wait is over, forgets an address after a success or a quiet hour", () => {
    const { t, advance } = throttle();
    for (let i = 0; i < 4; i++) t.failed("a");
    expect(t.retryAfterMs("a")).toBe(1_000);
    advance(1_000);
    expect(t.retryAfterMs("a")).toBe(0);
    t.failed("a");
    expect(t.retryAfterMs("a")).toBe(2_000);
    t.succeeded("a");
    expect(t.retryAfterMs("a")).toBe(0);
    for (let i = 0; i < 5; i++) t.failed("b");
    advance(60_001);
    t.failed("b"); // the first failure of a fresh start
    expect(t.retryAfterMs("b")).toBe(0);
  });

  it("keeps a bounded number of addresses, dropping the oldest", () => {
    const { t } = throttle();
    for (const client of ["a", "b", "c", "d"]) for (let i = 0; i < 4; i++) t.failed(client);
    expect(t.retryAfterMs("a")).toBe(0);
    expect(t.retryAfterMs("d")).toBe(1_000);
  });
});
