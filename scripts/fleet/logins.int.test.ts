// The fleet's trust boundary on a real PostgreSQL (the run's server, in the PostgreSQL pass):
// with cluster A's login (npm run fleet:add-cluster), every attack of issue 22 fails, refused by
// PostgreSQL itself (SQLSTATE 42501) where a privilege is missing or a new row would leave A,
// and touching nothing where row-level security hides B's rows; A's controller code runs
// as usual under that login; a fleet experiment's rows are the hub's alone; the hub's login
// does what the dashboard and the fleet driver do, and no more;
// removing A ends its login and keeps its rows.
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandStore } from "../../controller/commands/store";
import { AccessReadModel } from "../../controller/access/read-model";
import { AuditRetention } from "../../controller/store/audit";
import { pruneChanges } from "../../controller/store/changes";
import { appendRows } from "../../controller/store/rows";
import { SendLog } from "../../controller/metadata/send-log";
import { ClusterRegistrationError, registerCluster } from "../../controller/store/clusters";
import { HeartbeatWriter } from "../../controller/store/heartbeat";
import { scopeToCluster } from "../../controller/store/cluster-scope";
import { insertCommand } from "../../lib/db/commands";
import { openDatabase, type Database } from "../../lib/db/open";
import { openSession } from "../../server/sessions";
import { createTestDatabaseUrl, testStoreProvider } from "../../testing/database";
import { addCluster, addHub, FleetLoginError, removeCluster, scramVerifier } from "./logins";

const A = "2f0c8a4e-0a1b-4c2d-9e3f-00000000000a";
const B = "2f0c8a4e-0a1b-4c2d-9e3f-00000000000b";
const log = pino({ level: "silent" });
const identity = (clusterId: string, name: string) => ({
  clusterId,
  name,
  kubernetesVersion: "v1.34.4",
  server: "https://127.0.0.1:6443",
});

type Outcome = { refused: string; code: string } | { rows: number };

/** Runs a statement as an attacker would; what PostgreSQL answered. */
async function attempt(client: pg.Client, sql: string, params: unknown[] = []): Promise<Outcome> {
  try {
    const result = await client.query(sql, params);
    return { rows: result.rowCount ?? 0 };
  } catch (error) {
    const { message, code } = error as { message: string; code: string };
    return { refused: message, code };
  }
}

describe.skipIf(testStoreProvider() !== "postgresql")("a cluster's database login", () => {
  let ownerUrl: string;
  let owner: Database;
  let urlA: string;
  let asA: pg.Client;
  let commandB: number;
  let commandA: number;
  let fleetExperimentId: number;
  const report: string[] = [];

  beforeAll(async () => {
    ownerUrl = await createTestDatabaseUrl("logins");
    owner = await openDatabase({ url: ownerUrl });
    urlA = (await addCluster(ownerUrl, { name: "a", clusterId: A })).databaseUrl;
    await addCluster(ownerUrl, { name: "b", clusterId: B });
    const ping = (clusterId: string) =>
      insertCommand(owner, {
        clusterId,
        kind: "ping",
        target: "",
        payload: {},
        actor: "alice",
        source: "dashboard",
      });
    const [a, b] = [await ping(A), await ping(B)];
    if (!a.ok || !b.ok) throw new Error("could not seed the commands");
    [commandA, commandB] = [a.commandId, b.commandId];
    const old = new Date(Date.now() - 2 * 86_400_000);
    for (const clusterId of [A, B]) {
      await owner.auditEvent.create({
        data: {
          clusterId,
          at: old,
          actor: "x",
          action: "experiment.started",
          targetKind: "DatadogAgent",
          target: "d/d",
          source: "controller",
        },
      });
      await owner.agent.create({
        data: {
          clusterId,
          key: "d/d",
          namespace: "d",
          name: "d",
          uid: "u",
          generation: 1,
          spec: "{}",
          reconciledAt: new Date(),
        },
      });
    }
    await openSession(owner, { actor: "admin", adminToken: "an-admin-token-of-the-test-0123456789" });
    // A fleet experiment with a DatadogAgent in A: the hub's, which A's login never touches.
    const fx = await owner.fleetExperiment.create({
      data: {
        name: "fx-1",
        spec: "{}",
        plan: '{"waves":[],"leftOut":[]}',
        phase: "running",
        actor: "alice",
        actorAuth: "oidc",
        updatedAt: new Date(),
        targets: {
          create: { clusterId: A, agentKey: "d/d", clusterName: "a", wave: 0, updatedAt: new Date() },
        },
        steps: { create: { clusterId: A, agentKey: "d/d", step: "start", commandId: a.commandId } },
        notifications: { create: { event: "started", text: "fx-1 started" } },
      },
    });
    fleetExperimentId = fx.id;
    const now = new Date();
    await owner.fleetDriverLease.create({
      data: {
        name: "fleet-driver",
        holder: "hub-1",
        version: 0,
        durationMs: 15_000,
        acquiredAt: now,
        renewedAt: now,
      },
    });
    asA = new pg.Client({ connectionString: urlA });
    asA.on("error", () => undefined); // its session is ended by the removal test
    await asA.connect();
  });

  afterAll(async () => {
    if (report.length > 0) console.log(`[logins] with cluster A's login:\n${report.join("\n")}`);
    await asA?.end().catch(() => undefined);
    await owner?.$disconnect();
  });

  /** Expects PostgreSQL to refuse with insufficient_privilege (42501), and records its words. */
  const refused = async (attack: string, sql: string, params: unknown[] = []) => {
    const outcome = await attempt(asA, sql, params);
    report.push(
      `  ${attack}: ${"refused" in outcome ? `ERROR ${outcome.code} ${outcome.refused}` : `${outcome.rows} rows`}`,
    );
    expect(outcome, attack).toMatchObject({ code: "42501" });
  };
  /** Expects the statement to see or touch no row (row-level security hides B's), and records it. */
  const untouched = async (attack: string, sql: string, params: unknown[] = []) => {
    const outcome = await attempt(asA, sql, params);
    report.push(
      `  ${attack}: ${"refused" in outcome ? `ERROR ${outcome.code} ${outcome.refused}` : `${outcome.rows} rows (row-level security)`}`,
    );
    expect(outcome, attack).toEqual({ rows: 0 });
  };

  it("cannot insert a command, for its cluster or another, nor make one the admin token's", async () => {
    const insert = `INSERT INTO "Command" ("clusterId", "kind", "target", "payload", "actor", "source", "actorAuth")
                    VALUES ($1, 'restore-revision', 'd/d', '{"revision":"d-1"}', 'admin', 'dashboard', 'admin-token')`;
    await refused("insert a Command for A", insert, [A]);
    await refused("insert a Command for B", insert, [B]);
    await refused(
      "mark A's command as the admin token's",
      `UPDATE "Command" SET "actorAuth" = 'admin-token' WHERE "id" = $1`,
      [commandA],
    );
    await refused("change A's command's payload", `UPDATE "Command" SET "payload" = '{}' WHERE "id" = $1`, [
      commandA,
    ]);
    expect(await owner.command.count()).toBe(2);
  });

  it("cannot read or forge a dashboard session", async () => {
    await refused("read the sessions", `SELECT * FROM "Session"`);
    await refused(
      "forge a session",
      `INSERT INTO "Session" ("id", "actor", "tokenKey", "expiresAt") VALUES ('x', 'admin', 'k', now() + interval '1 day')`,
    );
  });

  it("sees none of B's rows, nor the logins", async () => {
    for (const table of ["Agent", "Command", "AuditEvent", "Cluster"]) {
      const column = table === "Cluster" ? "id" : "clusterId";
      await untouched(`read B's ${table} rows`, `SELECT * FROM "${table}" WHERE "${column}" = $1`, [B]);
    }
    const all = await asA.query<{ clusterId: string }>(`SELECT "clusterId" FROM "Agent"`);
    expect(all.rows.map((r) => r.clusterId)).toEqual([A]);
    await refused("read the cluster logins", `SELECT * FROM "ClusterLogin"`);
    await refused("read the change feed", `SELECT "topic", "key" FROM "Change"`);
  });

  it("cannot read or write a fleet experiment, its targets, steps, notifications or the driver's lease", async () => {
    for (const table of [
      "FleetExperiment",
      "FleetTarget",
      "FleetStep",
      "FleetNotification",
      "FleetDriverLease",
    ])
      await refused(`read ${table}`, `SELECT * FROM "${table}"`);
    await refused(
      "start a fleet experiment",
      `INSERT INTO "FleetExperiment" ("name", "spec", "plan", "phase", "actor", "actorAuth", "updatedAt")
       VALUES ('fx-2', '{}', '{}', 'running', 'admin', 'admin-token', now())`,
    );
    await refused("approve a wave", `UPDATE "FleetExperiment" SET "approvedWave" = 5 WHERE "id" = $1`, [
      fleetExperimentId,
    ]);
    await refused("abort a fleet experiment", `DELETE FROM "FleetExperiment" WHERE "id" = $1`, [
      fleetExperimentId,
    ]);
    await refused(
      "mark its own target passed",
      `UPDATE "FleetTarget" SET "state" = 'passed' WHERE "clusterId" = $1`,
      [A],
    );
    await refused(
      "record a step for its cluster",
      `INSERT INTO "FleetStep" ("fleetExperimentId", "clusterId", "agentKey", "step", "commandId") VALUES ($1, $2, 'd/d', 'promote', $3)`,
      [fleetExperimentId, A, commandA],
    );
    await refused(
      "queue a notification",
      `INSERT INTO "FleetNotification" ("fleetExperimentId", "event", "text") VALUES ($1, 'promoted', 'x')`,
      [fleetExperimentId],
    );
    await refused("take the driver's lease", `UPDATE "FleetDriverLease" SET "holder" = 'a'`);
    expect(await owner.fleetExperiment.findUniqueOrThrow({ where: { id: fleetExperimentId } })).toMatchObject(
      {
        phase: "running",
        approvedWave: 0,
      },
    );
    expect(await owner.fleetTarget.findFirstOrThrow({ where: { clusterId: A } })).toMatchObject({
      state: "waiting",
    });
    expect(await owner.fleetDriverLease.findUniqueOrThrow({ where: { name: "fleet-driver" } })).toMatchObject(
      {
        holder: "hub-1",
      },
    );
  });

  it("keeps its own cluster's labels (what fleet experiments select by), never B's", async () => {
    await untouched("relabel B", `UPDATE "Cluster" SET "labels" = '{"env":"prod"}' WHERE "id" = $1`, [B]);
    const db = await openDatabase({ url: urlA });
    try {
      await registerCluster(db, { ...identity(A, "a"), nameGiven: false }, { env: "staging" });
    } finally {
      await db.$disconnect();
    }
    expect(await owner.cluster.findUniqueOrThrow({ where: { id: A } })).toMatchObject({
      labels: '{"env":"staging"}',
    });
    expect(await owner.cluster.findUniqueOrThrow({ where: { id: B } })).toMatchObject({ labels: "{}" });
  });

  it("cannot rewrite B's audit, nor its own: it appends as the controller and prunes only day-old rows", async () => {
    const before = await owner.auditEvent.count({ where: { clusterId: B } });
    await refused("update B's audit", `UPDATE "AuditEvent" SET "actor" = 'nobody' WHERE "clusterId" = $1`, [
      B,
    ]);
    await refused(
      "update A's own audit",
      `UPDATE "AuditEvent" SET "actor" = 'nobody' WHERE "clusterId" = $1`,
      [A],
    );
    await untouched("delete B's audit", `DELETE FROM "AuditEvent" WHERE "clusterId" = $1`, [B]);
    await untouched(
      "delete A's audit of the last day",
      `DELETE FROM "AuditEvent" WHERE "clusterId" = $1 AND "at" > now() - interval '1 day'`,
      [A],
    );
    await refused(
      "insert an audit row for B",
      `INSERT INTO "AuditEvent" ("clusterId", "actor", "action", "targetKind", "target", "source") VALUES ($1, 'x', 'y', 'z', '', 'controller')`,
      [B],
    );
    await refused(
      "insert an audit row for A as the dashboard",
      `INSERT INTO "AuditEvent" ("clusterId", "actor", "action", "targetKind", "target", "source") VALUES ($1, 'admin', 'command.requested', 'ping', '', 'web')`,
      [A],
    );
    expect(await owner.auditEvent.count({ where: { clusterId: B } })).toBe(before);
    expect(await owner.auditEvent.count({ where: { clusterId: A, source: "web" } })).toBe(1);
  });

  it("cannot write B's rows, move its own to B, or claim B's commands", async () => {
    await untouched("update B's Cluster row", `UPDATE "Cluster" SET "updatedAt" = now() WHERE "id" = $1`, [
      B,
    ]);
    await untouched(
      "claim B's command",
      `UPDATE "Command" SET "status" = 'applying', "claimedBy" = 'a' WHERE "clusterId" = $1`,
      [B],
    );
    await untouched("update B's agent", `UPDATE "Agent" SET "spec" = '{}' WHERE "clusterId" = $1`, [B]);
    await untouched("delete B's agent", `DELETE FROM "Agent" WHERE "clusterId" = $1`, [B]);
    await refused(
      "insert an agent row for B",
      `INSERT INTO "Agent" ("clusterId", "key", "namespace", "name", "uid", "generation", "spec", "reconciledAt") VALUES ($1, 'x/y', 'x', 'y', 'u', 1, '{}', now())`,
      [B],
    );
    await refused("move its agent to B", `UPDATE "Agent" SET "clusterId" = $1 WHERE "clusterId" = $2`, [
      B,
      A,
    ]);
    expect(await owner.command.findUniqueOrThrow({ where: { id: commandB } })).toMatchObject({
      status: "pending",
      claimedBy: null,
    });
    expect(await owner.agent.count({ where: { clusterId: B } })).toBe(1);
  });

  it("cannot register with B's id, take B's id or name as its name, or become someone else", async () => {
    await refused(
      "register with B's id",
      `INSERT INTO "Cluster" ("id", "name", "kubernetesVersion", "apiServer", "updatedAt") VALUES ($1, 'b2', 'v', 's', now())`,
      [B],
    );
    await refused("take B's id as its own id", `UPDATE "Cluster" SET "id" = $1 WHERE "id" = $2`, [B, A]);
    await refused("take B's id as its name", `UPDATE "Cluster" SET "name" = $1 WHERE "id" = $2`, [B, A]);
    await refused("take B's name", `UPDATE "Cluster" SET "name" = 'b' WHERE "id" = $1`, [A]);
    await refused(
      "bind itself to B",
      `INSERT INTO "ClusterLogin" ("role", "clusterId") VALUES (session_user, $1)`,
      [B],
    );
    await refused("become the hub", `SET ROLE fleetdeck_hub`);
    await refused("make a login", `CREATE ROLE intruder LOGIN PASSWORD 'x'`);
    // The controller's own registration says why, naming the login's cluster.
    const db = await openDatabase({ url: urlA });
    try {
      await expect(registerCluster(db, identity(B, "b"))).rejects.toThrow(ClusterRegistrationError);
      await expect(registerCluster(db, identity(B, "b"))).rejects.toThrow(
        `belongs to cluster ${A}, not to this cluster (${B})`,
      );
    } finally {
      await db.$disconnect();
    }
    expect(
      await owner.cluster.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
    ).toEqual([
      { id: A, name: "a" },
      { id: B, name: "b" },
    ]);
  });

  it("runs A's controller code: registration under the owner's name, heartbeats, commands, audit, and what it prunes", async () => {
    const base = await openDatabase({ url: urlA });
    try {
      // A name left unset (a default) yields to the fleet's; a configured other name is refused.
      expect(await registerCluster(base, { ...identity(A, "cluster-2f0c8a4e"), nameGiven: false })).toBe("a");
      await expect(registerCluster(base, { ...identity(A, "prod"), nameGiven: true })).rejects.toThrow(
        'this cluster joined the fleet as "a"',
      );
      expect(await owner.cluster.findUniqueOrThrow({ where: { id: A } })).toMatchObject({
        name: "a",
        kubernetesVersion: "v1.34.4",
      });
      const db = scopeToCluster(base, A);
      await new HeartbeatWriter(db, "a-1", identity(A, "a"), () => true, "kubernetes").beat();
      const commands = new CommandStore(db, A, "a-1");
      expect(await commands.pendingIds(10)).toEqual([commandA]);
      expect(await commands.claim(commandA)).toBe(true);
      await commands.finish(await commands.load(commandA), { status: "applied", message: "pong" });
      expect(await owner.command.findUniqueOrThrow({ where: { id: commandA } })).toMatchObject({
        status: "applied",
      });
      // Retention deletes the day-old row of its cluster and records that it did.
      const auditOfB = await owner.auditEvent.count({ where: { clusterId: B } });
      const retention = new AuditRetention(db, { clusterId: A, retentionDays: 1, actor: "a-1" }, log);
      expect(await retention.prune()).toBe(1);
      expect(await owner.auditEvent.count({ where: { clusterId: A, action: "audit.pruned" } })).toBe(1);
      expect(await owner.auditEvent.count({ where: { clusterId: B } })).toBe(auditOfB);
      // The fleet-wide tables it prunes: the change feed's rows of over an hour, the people
      // nobody saw for a day (and their answers in its cluster).
      const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
      await owner.change.createMany({ data: [{ topic: "old", at: hoursAgo }, { topic: "new" }] });
      expect(await pruneChanges(db)).toBe(1);
      expect(await owner.change.count({ where: { topic: { in: ["old", "new"] } } })).toBe(1);
      await owner.accessSubject.create({
        data: { key: "idle", lastSeenAt: new Date(Date.now() - 2 * 86_400_000) },
      });
      const access = new AccessReadModel(db, A);
      expect(await access.unchecked()).toEqual(["idle"]);
      await access.forget("idle", new Date(Date.now() - 86_400_000));
      expect(await owner.accessSubject.count()).toBe(0);
      // The send log's multi-row INSERT (controller/store/rows.ts, not Prisma's create): A's rows
      // and the change-feed row that announces them, which A may append but not read; a row of
      // B in the same statement is refused by the policy and nothing of the batch is written.
      const sendLog = new SendLog(db, A, log, {
        maxAgeMs: 3_600_000,
        maxRows: 100,
        maxPayloadBytes: 1024,
        maxTotalBytes: 1 << 20,
      });
      const announced = await owner.change.count({ where: { topic: "metadata" } });
      for (let i = 0; i < 3; i++) {
        sendLog.record({
          at: new Date(),
          forwarder: "crd",
          kind: "DatadogAgent",
          object: `d/d${i}`,
          reason: "create",
          status: "sent",
          attempt: 1,
          payload: "{}",
          sizeBytes: 2,
          httpStatus: 202,
          latencyMs: 1.5,
        });
      }
      await sendLog.flush();
      expect(await owner.metadataSend.count({ where: { clusterId: A } })).toBe(3);
      expect(await owner.change.count({ where: { topic: "metadata" } })).toBe(announced + 1);
      const sendRow = (clusterId: string) => [
        clusterId,
        new Date(),
        "crd",
        "DatadogAgent",
        "d/x",
        "create",
        "sent",
        "{}",
        2,
      ];
      const columns = [
        "clusterId",
        "at",
        "forwarder",
        "kind",
        "object",
        "reason",
        "status",
        "payload",
        "sizeBytes",
      ];
      await expect(
        appendRows(base, [{ table: "MetadataSend", columns, rows: [sendRow(A), sendRow(B)] }]),
      ).rejects.toThrow(/row-level security/);
      expect(await owner.metadataSend.count()).toBe(3);
    } finally {
      await base.$disconnect();
    }
  });

  it("the hub's login reads everything, appends commands and audit, and rewrites neither", async () => {
    const hub = new pg.Client({ connectionString: (await addHub(ownerUrl)).databaseUrl });
    await hub.connect();
    try {
      expect((await hub.query(`SELECT "id" FROM "Cluster"`)).rowCount).toBe(2);
      expect((await hub.query(`SELECT "id" FROM "Session"`)).rowCount).toBe(1);
      const db = await openDatabase({ url: (await addHub(ownerUrl)).databaseUrl });
      try {
        const ping = await insertCommand(db, {
          clusterId: B,
          kind: "ping",
          target: "",
          payload: {},
          actor: "bob",
          source: "dashboard",
        });
        expect(ping.ok).toBe(true);
        await openSession(db, { actor: "admin", adminToken: "an-admin-token-of-the-test-0123456789" });
      } finally {
        await db.$disconnect();
      }
      // The fleet experiments' tables are the hub's: the dashboard starts and steers them, the
      // fleet driver runs them and holds its lease there.
      for (const sql of [
        `UPDATE "FleetExperiment" SET "phase" = 'paused'`,
        `UPDATE "FleetTarget" SET "state" = 'running'`,
        `INSERT INTO "FleetNotification" ("fleetExperimentId", "event", "text") VALUES (${fleetExperimentId}, 'halted', 'x')`,
        `UPDATE "FleetDriverLease" SET "holder" = 'hub-2', "version" = 1`,
        `SELECT * FROM "FleetStep"`,
      ]) {
        expect(await attempt(hub, sql), sql).toEqual({ rows: 1 });
      }
      for (const sql of [
        `UPDATE "Command" SET "status" = 'applied'`,
        `DELETE FROM "AuditEvent"`,
        `UPDATE "Agent" SET "spec" = '{}'`,
        `UPDATE "Cluster" SET "name" = 'x'`,
        `INSERT INTO "ClusterLogin" ("role", "clusterId") VALUES ('x', 'y')`,
      ]) {
        expect(await attempt(hub, sql), sql).toMatchObject({ code: "42501" });
      }
    } finally {
      await hub.end();
    }
  });

  it("removing A ends its login and its sessions, keeps its rows, and A can be added again", async () => {
    const removed = await removeCluster(ownerUrl, "a");
    expect(removed).toMatchObject({ cluster: { id: A, name: "a" }, terminated: 1, left: 0 });
    expect(removed.kept).toMatchObject({ Agent: 1, Command: 1 });
    await expect(asA.query("SELECT 1")).rejects.toThrow();
    const again = new pg.Client({ connectionString: urlA });
    await expect(again.connect()).rejects.toThrow(/password authentication failed|does not exist/);
    await again.end().catch(() => undefined);
    expect(await owner.agent.count({ where: { clusterId: A } })).toBe(1);
    await expect(removeCluster(ownerUrl, "a")).rejects.toThrow(FleetLoginError);
    const readded = await addCluster(ownerUrl, { name: "a", clusterId: A });
    const db = await openDatabase({ url: readded.databaseUrl });
    try {
      expect(await db.agent.count()).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  it("refuses names and ids that would stand for another cluster", async () => {
    await expect(addCluster(ownerUrl, { name: "b", clusterId: "c-id" })).rejects.toThrow(
      '"b" is taken by cluster',
    );
    await expect(addCluster(ownerUrl, { name: B, clusterId: "c-id" })).rejects.toThrow(
      "is the id of another cluster",
    );
    await expect(addCluster(ownerUrl, { name: "c", clusterId: "b" })).rejects.toThrow(
      "is the name of cluster",
    );
    await expect(addCluster(ownerUrl, { name: "no spaces", clusterId: "c-id" })).rejects.toThrow(
      "must be 1-63",
    );
  });

  it("stores a SCRAM verifier, never the password", () => {
    const verifier = scramVerifier("hunter2-hunter2", Buffer.alloc(16, 1));
    expect(verifier).toMatch(
      /^SCRAM-SHA-256\$4096:AQEBAQEBAQEBAQEBAQEBAQ==\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/,
    );
    expect(verifier).not.toContain("hunter2");
  });
});
