// The command consumer on a real database (SQLite, or PostgreSQL in that pass): at most once
// with two consumers, only its own cluster's commands, clear rejections, and no "database is
// locked" while another process writes commands.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import pino from "pino";
import { insertCommand } from "../../lib/db/commands";
import { watchDoorbell } from "../../lib/db/doorbell";
import { openDatabase, storeOf, type Database } from "../../lib/db/open";
import { REPO_ROOT } from "../../testing/paths";
import { createTestDatabase, testStoreProvider } from "../../testing/database";
import { eventually } from "../../test/harness";
import { managerWithoutCluster } from "../../testing/manager";
import type { Manager } from "../kube/manager";
import { registerCluster } from "../store/clusters";
import { CommandConsumer, consumeCommands, type ConsumeOptions } from "./consumer";
import { pingHandler } from "./ping";
import { CommandRegistry, CommandRejected } from "./registry";
import { CommandStore } from "./store";

const log = pino({ level: "silent" });
const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

/** Runs the consumer on a manager (leading, without a cluster), as the controller does. */
function run(consumer: CommandConsumer, options: ConsumeOptions): void {
  const manager = managerWithoutCluster();
  consumeCommands(manager, consumer, options);
  managers.push(manager);
  void manager.start();
}

const A = "cluster-a";
const B = "cluster-b";

/** A migrated database with two clusters registered, as their controllers would. */
async function fleetDatabase(prefix: string) {
  const test = await createTestDatabase(prefix);
  for (const clusterId of [A, B])
    await registerCluster(test.db, { clusterId, name: clusterId, kubernetesVersion: "v1", server: "" });
  return test;
}

function consumer(db: Database, id: string, registry: CommandRegistry, clusterId = A): void {
  run(new CommandConsumer(new CommandStore(db, clusterId, id), registry, log), { pollMs: 5 });
}

const ping = (db: Database, note: string, clusterId = A) =>
  insertCommand(db, {
    clusterId,
    kind: "ping",
    target: "",
    payload: { note },
    actor: "t",
    source: "dashboard",
  });

async function allFinal(db: Database, count: number) {
  await eventually(
    async () =>
      expect(await db.command.count({ where: { status: { in: ["applied", "rejected", "ignored"] } } })).toBe(
        count,
      ),
    { timeoutMs: 60_000 },
  );
}

describe("CommandConsumer", () => {
  it("applies each command exactly once with two consumers on separate connections", async () => {
    const { db, url } = await fleetDatabase("at-most-once");
    const calls = new Map<string, number>();
    const counting = (controller: string) =>
      new CommandRegistry().register("ping", async (payload) => {
        calls.set(payload.note!, (calls.get(payload.note!) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 1));
        return { status: "applied", message: `by ${controller}` };
      });
    consumer(await openDatabase({ url }), "c1", counting("c1"));
    consumer(await openDatabase({ url }), "c2", counting("c2"));
    for (let i = 0; i < 200; i++) await ping(db, `p${i}`);
    await allFinal(db, 200);
    expect(calls.size).toBe(200);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    const byClaimer = await db.command.groupBy({ by: ["claimedBy"], _count: true });
    expect(byClaimer.reduce((sum, g) => sum + g._count, 0)).toBe(200);
    expect(await db.auditEvent.count({ where: { action: "command.applied" } })).toBe(200);
  });

  it("claims only its own cluster's commands", async () => {
    const { db } = await fleetDatabase("own-cluster");
    const appliedBy = new Map<string, string>();
    const recording = (controller: string) =>
      new CommandRegistry().register("ping", async (payload) => {
        appliedBy.set(payload.note!, controller);
        return { status: "applied", message: `by ${controller}` };
      });
    consumer(db, "leader-a", recording("leader-a"), A);
    for (let i = 0; i < 10; i++) {
      await ping(db, `a${i}`, A);
      await ping(db, `b${i}`, B);
    }
    await allFinal(db, 10);
    // B has no controller: its commands wait, untouched.
    await new Promise((r) => setTimeout(r, 200));
    expect(await db.command.count({ where: { clusterId: B, status: "pending", claimedBy: null } })).toBe(10);
    consumer(db, "leader-b", recording("leader-b"), B);
    await allFinal(db, 20);
    for (let i = 0; i < 10; i++) {
      expect(appliedBy.get(`a${i}`)).toBe("leader-a");
      expect(appliedBy.get(`b${i}`)).toBe("leader-b");
    }
    expect(await db.auditEvent.count({ where: { clusterId: B, action: "command.applied" } })).toBe(10);
  });

  it("wakes on its cluster's doorbell (a file beside SQLite, NOTIFY on PostgreSQL), not by polling", async () => {
    const { db } = await fleetDatabase("doorbell");
    const applied: string[] = [];
    run(
      new CommandConsumer(
        new CommandStore(db, A, "bell"),
        new CommandRegistry().register("ping", async (payload) => {
          applied.push(payload.note!);
          return { status: "applied", message: "" };
        }),
        log,
      ),
      // A minute between polls: only the doorbell can make it look in time.
      { pollMs: 60_000, changes: (onChange) => watchDoorbell(storeOf(db)!, A, onChange) },
    );
    await new Promise((r) => setTimeout(r, 1_000)); // the first look (and the LISTEN) is done
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      await ping(db, `bell-${i}`);
      // Well inside the minute a poll would take, however busy the machine.
      await eventually(() => expect(applied).toContain(`bell-${i}`), { timeoutMs: 20_000, intervalMs: 10 });
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  });

  it("rejects an unknown kind, a malformed payload, a disabled feature and a failing handler, each with its reason", async () => {
    const { db } = await fleetDatabase("rejections");
    const registry = new CommandRegistry()
      .register("ping", pingHandler("c1"))
      .register("stop-experiment", async () => {
        throw new CommandRejected("no experiment is running");
      })
      .register("promote-experiment", async () => {
        throw new Error("API server said no");
      });
    consumer(db, "c1", registry);
    const raw = (kind: string, target: string, payload: string) =>
      db.command.create({ data: { clusterId: A, kind, target, payload, actor: "t", source: "dashboard" } });
    const unknown = await raw("reboot-cluster", "", "{}");
    const notJson = await raw("ping", "", "{oops");
    const badField = await raw("ping", "", '{"note": 5}');
    const disabled = await raw("enable-spot", "shop/web", '{"kind":"Deployment"}');
    const refused = await raw("stop-experiment", "datadog/datadog", '{"experimentId":"e1"}');
    const failing = await raw("promote-experiment", "datadog/datadog", '{"experimentId":"e1"}');
    await allFinal(db, 6);
    const outcome = async (id: number) => {
      const c = await db.command.findUniqueOrThrow({ where: { id } });
      return { status: c.status, message: c.message };
    };
    expect(await outcome(unknown.id)).toEqual({
      status: "rejected",
      message: 'unknown command kind "reboot-cluster"',
    });
    expect(await outcome(notJson.id)).toEqual({ status: "rejected", message: "payload is not valid JSON" });
    expect(await outcome(badField.id)).toMatchObject({
      status: "rejected",
      message: expect.stringContaining("note"),
    });
    expect(await outcome(disabled.id)).toMatchObject({
      status: "rejected",
      message: expect.stringContaining("does not apply enable-spot"),
    });
    expect(await outcome(refused.id)).toEqual({ status: "rejected", message: "no experiment is running" });
    expect(await outcome(failing.id)).toEqual({ status: "rejected", message: "failed: API server said no" });
    // Nothing stays pending, nothing is retried.
    await new Promise((r) => setTimeout(r, 100));
    expect(await db.command.count({ where: { status: { in: ["pending", "applying"] } } })).toBe(0);
  });

  it("rejects (does not re-run) a command another controller died applying", async () => {
    const { db } = await fleetDatabase("interrupted");
    const c = await db.command.create({
      data: {
        clusterId: A,
        kind: "ping",
        target: "",
        payload: "{}",
        actor: "t",
        source: "dashboard",
        status: "applying",
        claimedBy: "dead",
        claimedAt: new Date(Date.now() - 120_000),
      },
    });
    let ran = false;
    consumer(
      db,
      "c1",
      new CommandRegistry().register("ping", async () => ((ran = true), { status: "applied", message: "" })),
    );
    await eventually(async () =>
      expect((await db.command.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("rejected"),
    );
    expect((await db.command.findUniqueOrThrow({ where: { id: c.id } })).message).toContain("interrupted");
    expect(ran).toBe(false);
  });

  it("has no 'database is locked' while another process writes 1,000 commands", async () => {
    // SQLite's file lock is what 1,000 writes contend for; PostgreSQL has none, and 200 are
    // plenty to interleave the other process's writes with the consumer's claims there.
    const count = testStoreProvider() === "sqlite" ? 1000 : 200;
    const { db, url } = await fleetDatabase("contention");
    consumer(db, "c1", new CommandRegistry().register("ping", pingHandler("c1")));
    const { stdout } = await promisify(execFile)(
      path.join(REPO_ROOT, "node_modules/.bin/tsx"),
      [path.join(REPO_ROOT, "test/fixtures/insert-commands.ts"), url, String(count)],
      { cwd: REPO_ROOT, timeout: 120_000 },
    );
    const writer = JSON.parse(stdout.trim().split("\n").pop()!) as { failures: number; errors: string[] };
    expect(writer).toEqual({ failures: 0, errors: [] });
    await allFinal(db, count);
    expect(await db.command.count({ where: { status: "applied" } })).toBe(count);
  }, 180_000);
});
