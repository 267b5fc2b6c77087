// The work queue under a no-op reconciler: 10,000 keys, each added 5 times in shuffled order
// while 4 workers drain it. keys_per_s counts reconciles per second; dedup_ratio is adds per
// reconcile (how much repeated work the queue saved).
import pino from "pino";
import { Workers } from "../controller/kube/controller";
import { WorkQueue } from "../controller/kube/workqueue";
import type { BenchResult } from "./types";

const KEYS = 10_000;
const REPEATS = 5;

export async function run(): Promise<BenchResult> {
  const queue = new WorkQueue({ name: "bench" });
  let reconciles = 0;
  const workers = new Workers(queue, {
    name: "bench",
    workers: 4,
    reconcile: async () => {
      reconciles++;
    },
    log: pino({ level: "silent" }),
  });
  workers.start();
  const adds: string[] = [];
  for (let r = 0; r < REPEATS; r++) for (let k = 0; k < KEYS; k++) adds.push(`ns/key-${k}`);
  // Deterministic shuffle (LCG), so every run sees the same interleaving.
  let seed = 42;
  for (let i = adds.length - 1; i > 0; i--) {
    seed = (seed * 1664525 + 1013904223) % 2 ** 32;
    const j = seed % (i + 1);
    [adds[i], adds[j]] = [adds[j]!, adds[i]!];
  }
  const started = process.hrtime.bigint();
  // Adds arrive in bursts of 5,000 while the workers run, as a relist storm delivers them.
  for (let i = 0; i < adds.length; i += 5000) {
    for (const key of adds.slice(i, i + 5000)) queue.add(key);
    await new Promise((resolve) => setImmediate(resolve));
  }
  while (!queue.isIdle()) await new Promise((resolve) => setImmediate(resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await workers.drain();
  return {
    summary: { keys_per_s: reconciles / seconds, dedup_ratio: adds.length / reconciles },
    details: { keys: KEYS, repeats: REPEATS, adds: adds.length, reconciles, seconds, workers: 4 },
  };
}
