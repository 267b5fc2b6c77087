// Leader failover under load: two controller processes on one database and one Lease, a
// steady stream of ping commands (one every 100 ms, as a busy dashboard and a fleet-automation
// backend would send), SIGKILL the leader, and time until the standby has applied its first
// command. Three rounds (the killed controller comes back as the next standby), on SQLite and
// then on PostgreSQL in the same run; the BENCH line gives each store's worst round, the one
// that must stay within the target.
import { openDatabase, type Database } from "../lib/db/open";
import type { Provider } from "../lib/db/url";
import { commandStream, settleCommands } from "../test/command-stream";
import type { TestController } from "../testing/controllers";
import { benchStack, type BenchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { sleep } from "./util";

const ROUNDS = 3;
const INTERVAL_MS = 100;
// client-go's timings (the controllers' defaults): a standby takes over once the lease has expired
// (15 s after the last renewal) at its next retry (every 2 s).
const TARGET_MS = 15_000 + 2_000;

async function leaderOf(controllers: TestController[]): Promise<TestController> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const leading = [];
    for (const c of controllers) if (await c.isLeader()) leading.push(c);
    if (leading.length === 1) return leading[0]!;
    await sleep(50);
  }
  throw new Error("no single leader within 60 s");
}

/** When `id` first applied a command claimed after `since`, polling the database. */
async function firstAppliedBy(db: Database, id: string, since: Date, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const c = await db.command.findFirst({
      where: { claimedBy: id, status: "applied", appliedAt: { gte: since } },
      orderBy: { appliedAt: "asc" },
      select: { appliedAt: true },
    });
    if (c?.appliedAt) return c.appliedAt.getTime();
    await sleep(20);
  }
  throw new Error(`${id} applied nothing within ${timeoutMs} ms of the kill`);
}

async function round(stack: BenchStack, db: Database, pair: TestController[], n: number, provider: Provider) {
  const leader = await leaderOf(pair);
  const standby = pair.find((c) => c !== leader)!;
  // The leader is busy: commands keep arriving before, during and after the kill.
  await sleep(3_000);
  const killedAt = new Date();
  await leader.proc.kill();
  const appliedAt = await firstAppliedBy(db, standby.id, killedAt, 60_000);
  const failoverMs = appliedAt - killedAt.getTime();
  console.log(
    `[failover] ${provider} round ${n}: SIGKILL ${leader.id} → ${standby.id} applied a command after ${failoverMs} ms`,
  );
  const replacement = await stack.startController(
    `failover-${provider}-${n + 1}-${leader.id.split("-").pop()}`,
  );
  return { failoverMs, next: [standby, replacement] };
}

async function rounds(stack: BenchStack, provider: Provider) {
  const url = await stack.useStore(provider);
  const db = await openDatabase({ url });
  try {
    let pair = [
      await stack.startController(`failover-${provider}-0-a`),
      await stack.startController(`failover-${provider}-0-b`),
    ];
    const stream = commandStream(db, stack.clusterId, INTERVAL_MS);
    const samples: number[] = [];
    for (let n = 0; n < ROUNDS; n++) {
      const result = await round(stack, db, pair, n, provider);
      samples.push(result.failoverMs);
      pair = result.next;
    }
    const inserted = await stream.stop();
    // Nothing lost: every command ends applied, except at most the one each killed leader had
    // claimed (recorded as interrupted once its claim is stale: at most once, never twice).
    const { applied, interrupted, unfinished } = await settleCommands(db, stack.clusterId);
    if (unfinished > 0 || applied + interrupted !== inserted || interrupted > ROUNDS)
      throw new Error(
        `${provider}: inserted ${inserted} commands: ${applied} applied, ${interrupted} interrupted, ${unfinished} unfinished`,
      );
    await Promise.all(pair.map((c) => c.proc.stop()));
    return { samples, inserted, interrupted };
  } finally {
    await db.$disconnect();
  }
}

export async function run(): Promise<BenchResult> {
  const stack = await benchStack();
  try {
    const sqlite = await rounds(stack, "sqlite");
    const pg = await rounds(stack, "postgresql");
    return {
      summary: {
        failover_ms: Math.max(...sqlite.samples),
        pg_failover_ms: Math.max(...pg.samples),
        p50_ms: percentile(sqlite.samples, 50),
        pg_p50_ms: percentile(pg.samples, 50),
        commands: sqlite.inserted + pg.inserted,
        interrupted: sqlite.interrupted + pg.interrupted,
      },
      details: {
        samples_ms: sqlite.samples,
        pg_samples_ms: pg.samples,
        rounds: ROUNDS,
        interval_ms: INTERVAL_MS,
        target: { failover_ms: TARGET_MS, pg_failover_ms: TARGET_MS },
      },
    };
  } finally {
    await stack.close();
  }
}
