// 200 ping commands, each inserted as the dashboard does and applied by a real controller
// process (leader-elected, on the local cluster): time from insert to the recorded outcome.
import { insertCommand } from "../lib/db/commands";
import { openDatabase } from "../lib/db/open";
import { eventuallyLeader, sleep } from "./util";
import { benchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";

const COUNT = 200;

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const controller = await stack.startController("bench-controller");
    await eventuallyLeader(controller);
    const db = await openDatabase({ file: stack.databaseFile });
    const latencies: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const inserted = Date.now();
      const result = await insertCommand(db, {
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
          latencies.push(c.appliedAt.getTime() - inserted);
          break;
        }
        await sleep(2);
      }
      // Commands arrive spaced out, as clicks do, not as one batch.
      await sleep(20);
    }
    await db.$disconnect();
    return {
      summary: { p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) },
      details: {
        count: COUNT,
        max_ms: Math.max(...latencies),
        samples_ms: latencies,
        target: { p99_ms: 300 },
      },
    };
  } finally {
    await stack.close();
  }
}
