// A fleet: two real local clusters, one PostgreSQL database, two controllers per cluster (a
// leader and a standby each, their Lease in their own cluster), each cluster's on its own
// database login (npm run fleet:add-cluster: row-level security, its rows only) and the
// dashboard's side on the hub's. Commands reach their cluster only; killing cluster A's leader
// moves A to its standby while B is untouched; stopping both of A's controllers leaves A "not
// reporting"; a controller that claims A's name, or uses A's login, is refused. Runs in the
// PostgreSQL pass (npm run test:int:pg), where the run's store is one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCommand } from "../lib/db/commands";
import type { Database } from "../lib/db/open";
import { clusterControllers } from "../components/lib/fleet";
import { clusterIdOf } from "../testing/cluster-id";
import { launchController, type TestController } from "../testing/controllers";
import { createTestDatabaseUrl, testStoreProvider } from "../testing/database";
import { failoverBoundMs } from "../testing/lease";
import { clusterDown, clusterUp, type ClusterHandle } from "../testing/local-cluster";
import { startController } from "../testing/processes";
import { addCluster, addHub } from "../scripts/fleet/logins";
import { openDatabase } from "../lib/db/open";
import { pingApplied } from "./command-stream";
import { controllerKubeconfigFile, eventually, testKubeConfig, testNamespace } from "./harness";

const CLUSTER_B = "fleetdeck-test-b";
const ns = testNamespace("fleet");

describe.skipIf(testStoreProvider() !== "postgresql")("a fleet of two clusters on one PostgreSQL", () => {
  /** The hub's login: what the dashboard writes and reads with. */
  let db: Database;
  let b: ClusterHandle;
  const ids = { a: "", b: "" };
  /** Each cluster's own login (its DATABASE_URL). */
  const logins = { a: "", b: "" };
  const controllers: Record<"a" | "b", TestController[]> = { a: [], b: [] };

  beforeAll(async () => {
    const owner = await createTestDatabaseUrl("fleet");
    ({ handle: b } = await clusterUp(CLUSTER_B));
    ids.a = await clusterIdOf(testKubeConfig());
    ids.b = await clusterIdOf(b.kubeconfig);
    for (const cluster of ["a", "b"] as const)
      logins[cluster] = (
        await addCluster(owner, { name: `fleet-${cluster}`, clusterId: ids[cluster] })
      ).databaseUrl;
    db = await openDatabase({ url: (await addHub(owner)).databaseUrl });
    const start = (cluster: "a" | "b", n: number) =>
      launchController({
        id: `fleet-${cluster}${n}`,
        kubeconfig: cluster === "a" ? controllerKubeconfigFile() : b.kubeconfig,
        databaseUrl: logins[cluster],
        namespace: cluster === "a" ? ns.name : "fleetdeck-system",
      });
    const started = await Promise.all([start("a", 1), start("a", 2), start("b", 1), start("b", 2)]);
    controllers.a = started.slice(0, 2);
    controllers.b = started.slice(2);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...controllers.a, ...controllers.b].map((c) => c.proc.stop()));
    await db?.$disconnect();
    if (b && process.env.FLEETDECK_TEST_KEEP_CLUSTER !== "1") await clusterDown(CLUSTER_B);
  });

  const leaderOf = (cluster: "a" | "b") =>
    eventually(
      async () => {
        const leading: TestController[] = [];
        for (const c of controllers[cluster])
          if (c.proc.child.exitCode === null && (await c.isLeader())) leading.push(c);
        expect(leading).toHaveLength(1);
        return leading[0]!;
      },
      { timeoutMs: 30_000 },
    );

  /** Pings cluster `cluster` and waits for the outcome; returns who applied it. */
  const ping = async (cluster: "a" | "b", timeoutMs = 10_000) =>
    (await pingApplied(db, ids[cluster], timeoutMs)).by;

  it("each cluster's controllers refresh its row under its own login, and each command reaches its cluster's leader only", async () => {
    const clusters = await db.cluster.findMany({ orderBy: { name: "asc" } });
    expect(clusters.map((c) => [c.id, c.name])).toEqual([
      [ids.a, "fleet-a"],
      [ids.b, "fleet-b"],
    ]);
    // fleet:add-cluster left the version empty; each cluster's controllers wrote their own.
    for (const c of clusters) expect(c.kubernetesVersion).toMatch(/^v1\./);
    const [leaderA, leaderB] = await Promise.all([leaderOf("a"), leaderOf("b")]);
    for (let i = 0; i < 5; i++) {
      expect(await ping("a")).toBe(leaderA.id);
      expect(await ping("b")).toBe(leaderB.id);
    }
    // Every row a controller wrote is of its own cluster.
    const heartbeats = await db.controllerHeartbeat.findMany();
    for (const h of heartbeats)
      expect(h.clusterId).toBe(h.controllerId.startsWith("fleet-a") ? ids.a : ids.b);
    const audit = await db.auditEvent.findMany({ where: { action: "command.applied" } });
    expect(audit.filter((e) => e.clusterId === ids.a)).toHaveLength(5);
    expect(audit.filter((e) => e.clusterId === ids.b)).toHaveLength(5);
  }, 120_000);

  it("killing cluster A's leader moves A to its standby; B keeps its leader and goes on", async () => {
    const [leaderA, leaderB] = await Promise.all([leaderOf("a"), leaderOf("b")]);
    const standbyA = controllers.a.find((c) => c !== leaderA)!;
    const bound = await failoverBoundMs(testKubeConfig(), ns.name);
    const killedAt = Date.now();
    await leaderA.proc.kill();
    // B answers at once, from the same leader, while A has none.
    expect(await ping("b")).toBe(leaderB.id);
    expect(await ping("a", 30_000)).toBe(standbyA.id);
    const failoverMs = Date.now() - killedAt;
    console.log(
      `[fleet] cluster A: SIGKILL of its leader → its standby applied a command after ${failoverMs} ms (bound ${bound} ms)`,
    );
    expect(failoverMs).toBeLessThanOrEqual(bound);
    expect(await ping("b")).toBe(leaderB.id);
    expect((await leaderOf("b")).id).toBe(leaderB.id);
    for (const c of controllers.b) expect(c.proc.child.exitCode).toBeNull();
  }, 90_000);

  it("stopping both of A's controllers leaves A not reporting (its commands wait) and B reporting", async () => {
    await Promise.all(controllers.a.map((c) => c.proc.stop()));
    const report = async (clusterId: string) =>
      clusterControllers(await db.controllerHeartbeat.findMany({ where: { clusterId } })).report;
    // The stopped ones say so; the leader SIGKILLed in the test before goes stale 15 s after
    // its last heartbeat, as the page judges it.
    await eventually(async () => expect(await report(ids.a)).toBe("not-reporting"), { timeoutMs: 30_000 });
    expect(await report(ids.b)).toBe("reporting");
    const waiting = await insertCommand(db, {
      clusterId: ids.a,
      kind: "ping",
      target: "",
      payload: {},
      actor: "fleet-test",
      source: "dashboard",
    });
    if (!waiting.ok) throw new Error(waiting.error);
    expect(await ping("b")).toMatch(/^fleet-b/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await db.command.findUniqueOrThrow({ where: { id: waiting.commandId } })).toMatchObject({
      status: "pending",
      claimedBy: null,
    });
  }, 60_000);

  it("a controller that claims A's display name, or uses A's login, exits 2 saying why", async () => {
    const impostor = (id: string, env: Record<string, string>) =>
      startController(id, {
        KUBECONFIG: b.kubeconfig,
        FLEETDECK_CONTROLLER_ID: id,
        FLEETDECK_NAMESPACE: "fleetdeck-system",
        FLEETDECK_HEALTH_ADDR: "127.0.0.1:0",
        ...env,
      });
    // B's login may not rename B: the name is the owner's (fleet:add-cluster).
    const renaming = impostor("fleet-renaming", {
      DATABASE_URL: logins.b,
      FLEETDECK_CLUSTER_NAME: "fleet-a",
    });
    expect(await renaming.exited).toBe(2);
    expect(renaming.readLog()).toContain('this cluster joined the fleet as "fleet-b"');
    // A's login is bound to A's id: B's controller cannot use it.
    const borrowing = impostor("fleet-borrowing", { DATABASE_URL: logins.a });
    expect(await borrowing.exited).toBe(2);
    expect(borrowing.readLog()).toContain(`belongs to cluster ${ids.a}, not to this cluster (${ids.b})`);
    // Nothing changed.
    expect((await db.cluster.findMany({ orderBy: { name: "asc" } })).map((c) => [c.id, c.name])).toEqual([
      [ids.a, "fleet-a"],
      [ids.b, "fleet-b"],
    ]);
  }, 60_000);
});
