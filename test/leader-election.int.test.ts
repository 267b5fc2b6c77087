// Two real controller processes share a database and a cluster: exactly one leads and applies
// commands; when it dies the other takes over within the lease's 15 s, and when it stops
// cleanly it hands over within 2 s.
import { afterEach, describe, expect, it } from "vitest";
import { pingApplied } from "./command-stream";
import type { Database } from "../lib/db/open";
import { launchController, type TestController } from "../testing/controllers";
import { createTestDatabase } from "../testing/database";
import { controllerKubeconfigFile, createNamespace, eventually, testKubeConfig } from "./harness";

const kc = testKubeConfig();
let running: TestController[] = [];
afterEach(async () => {
  await Promise.all(running.map((c) => c.proc.stop()));
  running = [];
});

async function pair(prefix: string): Promise<{ db: Database; a: TestController; b: TestController }> {
  const namespace = await createNamespace(kc, prefix);
  const { db, url } = await createTestDatabase(prefix);
  const common = { kubeconfig: controllerKubeconfigFile(), databaseUrl: url, namespace };
  const [a, b] = await Promise.all([
    launchController({ ...common, id: `${prefix}-a` }),
    launchController({ ...common, id: `${prefix}-b` }),
  ]);
  running.push(a, b);
  return { db, a, b };
}

async function leaderOf(
  a: TestController,
  b: TestController,
): Promise<{ leader: TestController; standby: TestController }> {
  return eventually(async () => {
    const [la, lb] = await Promise.all([a.isLeader(), b.isLeader()]);
    expect(la !== lb, "exactly one leader").toBe(true);
    return la ? { leader: a, standby: b } : { leader: b, standby: a };
  });
}

/** Pings the database's one cluster and waits for the outcome: who applied it, when. */
async function ping(db: Database, timeoutMs: number): Promise<{ by: string; appliedAt: number }> {
  const { id: clusterId } = await db.cluster.findFirstOrThrow();
  return pingApplied(db, clusterId, timeoutMs);
}

describe("leader election between two controller processes", () => {
  it("lets only the leader act, and moves to the other within 15 s of SIGKILL", async () => {
    const { db, a, b } = await pair("ha-kill");
    const { leader, standby } = await leaderOf(a, b);
    expect((await ping(db, 10_000)).by).toBe(leader.id);

    const killedAt = Date.now();
    await leader.proc.kill();
    const after = await ping(db, 30_000);
    expect(after.by).toBe(standby.id);
    const failoverMs = after.appliedAt - killedAt;
    console.log(`[ha] SIGKILL → first command applied by the standby: ${failoverMs} ms`);
    expect(failoverMs).toBeLessThanOrEqual(15_000);
    expect(await standby.isLeader()).toBe(true);
  }, 60_000);

  it("hands over within 2 s when the leader stops cleanly", async () => {
    const { db, a, b } = await pair("ha-stop");
    const { leader, standby } = await leaderOf(a, b);
    const stoppedAt = Date.now();
    const stopping = leader.proc.stop();
    // The leader may still apply what arrives while it shuts down; keep asking until the
    // standby answers.
    let after = await ping(db, 10_000);
    while (after.by !== standby.id) after = await ping(db, 10_000);
    expect(await stopping).toBe(0);
    const handoverMs = after.appliedAt - stoppedAt;
    console.log(`[ha] SIGTERM → first command applied by the standby: ${handoverMs} ms`);
    expect(handoverMs).toBeLessThanOrEqual(2_000);
  }, 60_000);
});
