// The manager's periodic runnables on a fake clock: one run at a time, every interval after the
// previous run ends, failures counted and logged once per streak, a final run on stop, and
// trigger() for a run now.
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { metricSum, periodicMetrics } from "./metrics";
import { flushEveryRun, Periodic, type PeriodicFn, type PeriodicOptions, type PeriodicRun } from "./periodic";

interface Line {
  level: number;
  msg: string;
  periodic?: string;
  err?: string;
  failures?: number;
}

let lines: Line[] = [];
const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
let seq = 0;

function periodic(interval: number | (() => number), fn: PeriodicFn, options: PeriodicOptions = {}) {
  return new Periodic(`test-${++seq}`, interval, fn, options, log);
}

/** A run that lasts until release() is called. */
function gate() {
  let release = () => {};
  const wait = () => new Promise<void>((resolve) => (release = resolve));
  return { wait, release: () => release() };
}

beforeEach(() => {
  vi.useFakeTimers();
  lines = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Periodic", () => {
  it("first runs one interval after start, then every interval after the previous run ends", async () => {
    const at: number[] = [];
    const p = periodic(1_000, () => void at.push(Date.now()));
    const t0 = Date.now();
    p.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(at).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(at.map((t) => t - t0)).toEqual([1_000, 2_000, 3_000]);
    await p.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(at).toHaveLength(3);
  });

  it("runs at once with initialRun, and never starts a run while the previous one runs", async () => {
    const slow = gate();
    let running = 0;
    let most = 0;
    let runs = 0;
    const p = periodic(
      100,
      async () => {
        runs++;
        most = Math.max(most, ++running);
        await slow.wait();
        running--;
      },
      { initialRun: true },
    );
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000); // ten intervals while the first run lasts
    expect(runs).toBe(1);
    slow.release();
    await vi.advanceTimersByTimeAsync(99);
    expect(runs).toBe(1); // the interval counts from the end of the run
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    slow.release();
    await p.stop();
    expect(most).toBe(1);
  });

  it("counts every failure, logs the first of a streak and the recovery once", async () => {
    let fail = true;
    const p = periodic(1_000, () => {
      if (fail) throw new Error("database is locked");
    });
    const errors = () => metricSum(periodicMetrics.errors, { name: p.name });
    p.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await errors()).toBe(3);
    expect(await metricSum(periodicMetrics.runs, { name: p.name, result: "error" })).toBe(3);
    const mine = () => lines.filter((l) => l.periodic === p.name);
    expect(mine()).toEqual([
      expect.objectContaining({ level: 40, err: "database is locked", msg: expect.stringMatching(/failed/) }),
    ]);
    fail = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(mine()).toHaveLength(2);
    expect(mine()[1]).toMatchObject({ level: 30, failures: 3, msg: `${p.name} recovered` });
    fail = true; // a new streak is logged again
    await vi.advanceTimersByTimeAsync(1_000);
    expect(mine()).toHaveLength(3);
    expect(await errors()).toBe(4);
    await p.stop();
  });

  it("on stop aborts the run in progress, waits for it, then makes the final run", async () => {
    const slow = gate();
    const runs: { final: boolean; abortedAtEnd: boolean }[] = [];
    let signal: AbortSignal | undefined;
    const p = periodic(
      1_000,
      async (run: PeriodicRun) => {
        if (!run.final) {
          signal = run.signal;
          await slow.wait();
        }
        runs.push({ final: run.final, abortedAtEnd: run.signal.aborted });
      },
      { finalRun: true },
    );
    p.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(signal?.aborted).toBe(false);
    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(signal?.aborted).toBe(true);
    expect(stopped).toBe(false); // waits for the run in progress
    slow.release();
    await stopping;
    expect(runs).toEqual([
      { final: false, abortedAtEnd: true },
      { final: true, abortedAtEnd: false },
    ]);
  });

  it("trigger() runs now, or once more right after a run in progress; nothing while stopped", async () => {
    const slow = gate();
    let runs = 0;
    const p = periodic(60_000, async () => {
      runs++;
      if (runs === 1) await slow.wait();
    });
    await p.trigger();
    expect(runs).toBe(0); // not started
    p.start();
    void p.trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    const again = p.trigger();
    const same = p.trigger(); // folded into the one queued run
    expect(same).toBe(again);
    slow.release();
    await again;
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(runs).toBe(2); // the interval restarts after the triggered run
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(3);
    await p.stop();
  });

  it("asks an interval function before each wait", async () => {
    let ready = false;
    const at: number[] = [];
    const t0 = Date.now();
    const p = periodic(
      () => (ready ? 10_000 : 500),
      () => {
        at.push(Date.now() - t0);
        ready = at.length >= 2;
      },
      { initialRun: true },
    );
    p.start();
    await vi.advanceTimersByTimeAsync(11_000);
    expect(at).toEqual([0, 500, 10_500]);
    await p.stop();
  });

  it("flushEveryRun: a store writer flushes every run and forgets after the final one, even a failed one", async () => {
    const calls: string[] = [];
    let fail = false;
    const run = flushEveryRun(
      async () => {
        calls.push("flush");
        if (fail) throw new Error("SQLITE_BUSY");
      },
      () => calls.push("forget"),
    );
    const signal = new AbortController().signal;
    await run({ final: false, signal });
    expect(calls).toEqual(["flush"]);
    fail = true;
    await expect(Promise.resolve(run({ final: true, signal }))).rejects.toThrow("SQLITE_BUSY");
    expect(calls).toEqual(["flush", "flush", "forget"]);
  });
});
