// 200 ping commands, each inserted as the dashboard does and applied by a real controller
// process (leader-elected, on the local cluster): time from insert to the recorded outcome.
// Measured on SQLite, then on PostgreSQL (a local server) in the same run.
import { insertCommand } from "../lib/db/commands";
import { openDatabase } from "../lib/db/open";
import type { Provider } from "../lib/db/url";
import { eventuallyLeader, sleep } from "./util";
import { benchStack, type BenchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";

const COUNT = 200;

async function latencies(stack: BenchStack, provider: Provider): Promise<number[]> {
  const url = await stack.useStore(provider);
  const controller = await stack.startController(`bench-controller-${provider}`);
  await eventuallyLeader(controller);
  const db = await openDatabase({ url });
  const samples: number[] = [];
  try {
    for (let i = 0; i < COUNT; i++) {
      const inserted = Date.now();
      const result = await insertCommand(db, {
        clusterId: stack.clusterId,
        kind: "ping",
        target: "",
        payload: {},
        actor: "bench",
        source: "dashboard",
      });
      if (!result.ok) throw new Error(result.error);
      for (;;) {
        const c = await db.command.findUniqueOrThrow({
          where: { id: result.commandId },
          select: { status: true, appliedAt: true },
        });
        if (c.appliedAt) {
          if (c.status !== "applied") throw new Error(`ping ${result.commandId} ended ${c.status}`);
          samples.push(c.appliedAt.getTime() - inserted);
          break;
        }
        await sleep(2);
      }
      // Commands arrive spaced out, as clicks do, not as one batch.
      await sleep(20);
    }
  } finally {
    await db.$disconnect();
    await controller.proc.stop();
  }
  return samples;
}

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const sqlite = await latencies(stack, "sqlite");
    const pg = await latencies(stack, "postgresql");
    return {
      summary: {
        p50_ms: percentile(sqlite, 50),
        p99_ms: percentile(sqlite, 99),
        pg_p50_ms: percentile(pg, 50),
        pg_p99_ms: percentile(pg, 99),
      },
      details: {
        count: COUNT,
        max_ms: Math.max(...sqlite),
        pg_max_ms: Math.max(...pg),
        samples_ms: sqlite,
        pg_samples_ms: pg,
        target: { p99_ms: 300, pg_p99_ms: 300 },
      },
    };
  } finally {
    await stack.close();
  }
}
