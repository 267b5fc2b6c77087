// The queue's guarantees as the controller's workers see them: dedup, one call per key at a
// time, backoff, delays, timeouts, parallelism and drain.
import { afterEach, describe, expect, it } from "vitest";
import { Workers, type Reconcile } from "./controller";
import { WorkQueue } from "./workqueue";

/** A queue with the controller's workers, started on demand as a controller starts them. */
class QueueUnderTest extends WorkQueue {
  private workers: Workers | undefined;
  constructor(private readonly settings: { name: string; workers?: number; timeoutMs?: number }) {
    super({ name: settings.name });
  }
  start(reconcile: Reconcile): void {
    this.workers = new Workers(this, { ...this.settings, reconcile });
    this.workers.start();
  }
  drain(): Promise<void> {
    return this.workers?.drain() ?? Promise.resolve(this.shutdown());
  }
}

const queues: QueueUnderTest[] = [];
function queue(options: { workers?: number; timeoutMs?: number } = {}) {
  const q = new QueueUnderTest({ name: `test-${queues.length}-${Math.random()}`, ...options });
  queues.push(q);
  return q;
}
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.drain()));
});

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await tick(2);
  }
}

describe("WorkQueue with the controller's workers", () => {
  it("queues a key once however often it is added before being processed", async () => {
    const q = queue();
    for (let i = 0; i < 5; i++) q.add("a");
    q.add("b");
    expect(q.length).toBe(2);
    const processed: string[] = [];
    q.start(async (key) => {
      processed.push(key);
    });
    await until(() => q.isIdle());
    expect(processed).toEqual(["a", "b"]);
  });

  it("processes a key again when it was added while being processed, never concurrently", async () => {
    const q = queue({ workers: 4 });
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    q.start(async () => {
      calls++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls === 1) await gate;
      running--;
    });
    q.add("k");
    await until(() => calls === 1);
    q.add("k");
    q.add("k");
    await tick(20);
    expect(calls).toBe(1); // the second add waits for the first call to end
    release();
    await until(() => q.isIdle() && calls === 2);
    expect(maxRunning).toBe(1);
  });

  it("retries a failing key with growing delays and forgets its backoff on success", async () => {
    const q = queue();
    const times: number[] = [];
    q.start(async () => {
      times.push(Date.now());
      if (times.length < 4) throw new Error("not yet");
    });
    q.add("flaky");
    await until(() => times.length === 4 && q.isIdle());
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(4); // 5 ms
    expect(gaps[2]).toBeGreaterThanOrEqual(18); // 20 ms
    expect(q.numRequeues("flaky")).toBe(0);
  });

  it("adds after a delay, keeping the earliest of several", async () => {
    const q = queue();
    const at: number[] = [];
    const start = Date.now();
    q.start(async () => {
      at.push(Date.now() - start);
    });
    q.addAfter("later", 200);
    q.addAfter("later", 40);
    q.addAfter("later", 300);
    await until(() => at.length === 1, 1000);
    await tick(300);
    expect(at).toHaveLength(1);
    expect(at[0]).toBeGreaterThanOrEqual(35);
    expect(at[0]).toBeLessThan(200);
  });

  it("requeues after the delay a reconcile asks for", async () => {
    const q = queue();
    let calls = 0;
    q.start(async () => {
      calls++;
      return calls === 1 ? { requeueAfterMs: 30 } : undefined;
    });
    q.add("periodic");
    await until(() => calls === 2);
  });

  it("aborts a call that exceeds its timeout, retries it, and still never runs the key twice at once", async () => {
    const q = queue({ timeoutMs: 50 });
    let running = 0;
    let maxRunning = 0;
    const signals: AbortSignal[] = [];
    const reconcile: Reconcile = async (_key, signal) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      signals.push(signal);
      // The first call ignores its signal for a while, as a badly behaved handler would.
      await tick(signals.length === 1 ? 150 : 1);
      running--;
    };
    q.start(reconcile);
    q.add("slow");
    await until(() => signals.length >= 2 && q.isIdle(), 3000);
    expect(signals[0]!.aborted).toBe(true);
    expect(maxRunning).toBe(1);
  });

  it("runs N workers in parallel", async () => {
    const q = queue({ workers: 3 });
    let running = 0;
    let maxRunning = 0;
    q.start(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(20);
      running--;
    });
    for (const k of ["a", "b", "c", "d", "e", "f"]) q.add(k);
    await until(() => q.isIdle());
    expect(maxRunning).toBe(3);
  });

  it("drains on shutdown: calls in progress finish, queued keys are dropped, adds are refused", async () => {
    const q = queue();
    const finished: string[] = [];
    q.start(async (key) => {
      await tick(50);
      finished.push(key);
    });
    q.add("first");
    q.add("second");
    await tick(10);
    await q.drain();
    expect(finished).toEqual(["first"]);
    q.add("third");
    expect(q.length).toBe(0);
  });
});
