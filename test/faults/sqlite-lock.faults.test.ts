// Another process holding the SQLite file: a long reader (WAL: the controller keeps writing),
// then a write lock held past the busy timeout (a backup tool, a stuck transaction): the
// controller logs the failed writes, retries, applies the waiting command once the lock is
// gone, and never exits.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { insertCommand } from "../../lib/db/commands";
import { databaseFile } from "../../lib/db/url";
import { testStoreProvider } from "../../testing/database";
import { eventually, testNamespace } from "../harness";
import { faultStack, logLines } from "./stack";

const ns = testNamespace("faults-sqlite");
const stack = faultStack(() => ns.name);

async function ping(db: Parameters<typeof insertCommand>[0]): Promise<number> {
  const { id: clusterId } = await db.cluster.findFirstOrThrow();
  const result = await insertCommand(db, {
    clusterId,
    kind: "ping",
    target: "",
    payload: {},
    actor: "test",
    source: "signal",
  });
  if (!result.ok) throw new Error(result.error);
  return result.commandId;
}

const statusOf = async (db: Parameters<typeof insertCommand>[0], id: number) =>
  (await db.command.findUniqueOrThrow({ where: { id } })).status;

// SQLite only: PostgreSQL has no file lock (its restart is test/faults/postgres-restart.faults.test.ts).
describe.skipIf(testStoreProvider() !== "sqlite")("SQLite lock contention", () => {
  it("a long reader does not stop the controller; a write lock past the busy timeout is logged and retried", async () => {
    const s = await stack();
    const controller = await s.controller("sqlite-lock", { FLEETDECK_DB_BUSY_TIMEOUT_MS: "300" });
    await eventually(async () => expect(await controller.isLeader()).toBe(true));

    // 1. A reader in a long transaction (a snapshot read, as a backup does).
    const other = new Database(databaseFile({ DATABASE_URL: s.databaseUrl }));
    other.exec("BEGIN");
    other.prepare("SELECT COUNT(*) FROM Command").get();
    const duringRead = await ping(s.db);
    await eventually(async () => expect(await statusOf(s.db, duringRead)).toBe("applied"), {
      timeoutMs: 10_000,
    });
    other.exec("COMMIT");

    // 2. A writer holding the lock for 6 s, 20 times the controller's busy timeout. The command
    // is inserted first: the controller sees it and cannot claim it until the lock is gone.
    const waiting = await ping(s.db);
    other.exec("BEGIN IMMEDIATE");
    const lockedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(["pending", "applied"]).toContain(await statusOf(s.db, waiting));
    other.exec("COMMIT");
    other.close();
    await eventually(async () => expect(await statusOf(s.db, waiting)).toBe("applied"), {
      timeoutMs: 20_000,
    });

    const warnings = logLines(controller).filter(
      (l) =>
        l.level === "warn" && Date.parse(String(l.time)) >= lockedAt && /locked|busy/i.test(String(l.err)),
    );
    expect(warnings.length, "the failed writes are logged").toBeGreaterThan(0);
    expect(controller.proc.child.exitCode).toBeNull();
    expect(await fetch(`${controller.healthURL}/healthz`).then((r) => r.status)).toBe(200);
    await controller.proc.stop();
  });
});
