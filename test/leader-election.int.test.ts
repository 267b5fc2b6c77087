// Two real controller processes share a database and a cluster: exactly one leads and applies
// commands; when it dies the other takes over once the lease expires, and when it stops cleanly
// it releases the lease, so the other takes over at once instead of waiting the lease out.
import { afterEach, describe, expect, it } from "vitest";
import { pingApplied } from "./command-stream";
import type { Database } from "../lib/db/open";
import { launchController, type TestController } from "../testing/controllers";
import { createTestDatabase } from "../testing/database";
import { CLIENT_GO_LEASE_ENV, failoverBoundMs, readLease } from "../testing/lease";
import { controllerKubeconfigFile, createNamespace, eventually, testKubeConfig } from "./harness";

const kc = testKubeConfig();
let running: TestController[] = [];
afterEach(async () => {
  await Promise.all(running.map((c) => c.proc.stop()));
  running = [];
});

async function pair(
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ db: Database; namespace: string; a: TestController; b: TestController }> {
  const namespace = await createNamespace(kc, prefix);
  const { db, url } = await createTestDatabase(prefix);
  const common = { kubeconfig: controllerKubeconfigFile(), databaseUrl: url, namespace, env };
  const [a, b] = await Promise.all([
    launchController({ ...common, id: `${prefix}-a` }),
    launchController({ ...common, id: `${prefix}-b` }),
  ]);
  running.push(a, b);
  return { db, namespace, a, b };
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
  it("lets only the leader act, and moves to the other once the lease expires after SIGKILL", async () => {
    const { db, namespace, a, b } = await pair("ha-kill");
    const { leader, standby } = await leaderOf(a, b);
    expect((await ping(db, 10_000)).by).toBe(leader.id);
    const bound = await failoverBoundMs(kc, namespace);

    const killedAt = Date.now();
    await leader.proc.kill();
    const after = await ping(db, 30_000);
    expect(after.by).toBe(standby.id);
    const failoverMs = after.appliedAt - killedAt;
    console.log(`[ha] SIGKILL → first command applied by the standby: ${failoverMs} ms (bound ${bound} ms)`);
    expect(failoverMs).toBeLessThanOrEqual(bound);
    expect(await standby.isLeader()).toBe(true);
  }, 60_000);

  it("releases the lease when the leader stops cleanly: the standby does not wait it out", async () => {
    // client-go's 15 s lease: a standby that had to wait it out would take 13 s at least.
    const { db, namespace, a, b } = await pair("ha-stop", CLIENT_GO_LEASE_ENV);
    const { leader, standby } = await leaderOf(a, b);
    expect((await readLease(kc, namespace)).leaseDurationSeconds).toBe(15);
    const stoppedAt = Date.now();
    const stopping = leader.proc.stop();
    // The leader may still apply what arrives while it shuts down; keep asking until the
    // standby answers.
    let after = await ping(db, 20_000);
    while (after.by !== standby.id) after = await ping(db, 20_000);
    expect(await stopping).toBe(0);
    expect(leader.proc.readLog()).toContain('"msg":"released the lease"');
    const handoverMs = after.appliedAt - stoppedAt;
    console.log(`[ha] SIGTERM → first command applied by the standby: ${handoverMs} ms`);
    expect(handoverMs).toBeLessThan(10_000);
    expect((await readLease(kc, namespace)).holderIdentity).toBe(standby.id);
  }, 60_000);
});
