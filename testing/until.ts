// Waiting for a cluster or a store to get somewhere, for the demo and the benchmarks (the
// tests have test/harness.ts eventually, which retries assertions instead).
import { setTimeout as sleep } from "node:timers/promises";

/** Polls `check` until it returns a value (not undefined); throws naming `what` after the timeout. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 30_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
