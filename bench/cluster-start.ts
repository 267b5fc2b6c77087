// Cold start (create: PKI, etcd data, all five components) and warm start (a stopped cluster
// started again) of the local cluster, until /readyz answers ok and all six nodes are Ready.
import { clusterDown, clusterStop, clusterUp } from "../testing/local-cluster";
import { median } from "./stats";
import type { BenchResult } from "./types";

const NAME = "fleetdeck-bench";
const ROUNDS = 3;

export async function run(): Promise<BenchResult> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await clusterDown(NAME);
    const created = await clusterUp(NAME);
    if (created.action !== "created") throw new Error(`expected a cold start, got ${created.action}`);
    cold.push(created.seconds);
    await clusterStop(NAME);
    const started = await clusterUp(NAME);
    if (started.action !== "started") throw new Error(`expected a warm start, got ${started.action}`);
    warm.push(started.seconds);
    console.log(`round ${i + 1}: cold ${created.seconds.toFixed(2)} s, warm ${started.seconds.toFixed(2)} s`);
  }
  await clusterDown(NAME);
  return {
    summary: { cold_s: median(cold), warm_s: median(warm) },
    details: { rounds: ROUNDS, cold, warm, statistic: "median", target: { warm_s: 30 } },
  };
}
