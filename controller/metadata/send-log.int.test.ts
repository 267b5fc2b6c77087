// The send log on a real database: batched writes with their change-feed row, and retention
// that prunes this cluster's rows only.
import { describe, expect, it } from "vitest";
import pino from "pino";
import { createTestDatabase } from "../../testing/database";
import { eventually } from "../../test/harness";
import { scopeToCluster } from "../store/cluster-scope";
import { SendLog, type SendRecord } from "./send-log";

const log = pino({ level: "silent" });

const row = (at: Date, object: string): SendRecord => ({
  at,
  forwarder: "crd",
  kind: "DatadogAgent",
  object,
  reason: "create",
  status: "sent",
  attempt: 1,
  payload: "{}",
  sizeBytes: 2,
  httpStatus: 202,
  latencyMs: 1.5,
});

describe("SendLog", () => {
  it("writes buffered rows in one batch and announces them on the metadata topic", async () => {
    const { db } = await createTestDatabase("send-log");
    const sendLog = new SendLog(scopeToCluster(db, "a"), "a", log, {
      maxAgeMs: 3_600_000,
      maxRows: 1000,
      flushMs: 20,
    });
    for (let i = 0; i < 50; i++) sendLog.record(row(new Date(), `ns/a${i}`));
    await eventually(async () => expect(await db.metadataSend.count()).toBe(50));
    expect(await db.change.count({ where: { topic: "metadata" } })).toBe(1);
    await sendLog.stop();
  });

  it("prunes its cluster's rows older than the maximum age and beyond the maximum count, not another's", async () => {
    const { db } = await createTestDatabase("send-log-retention");
    const sendLog = new SendLog(scopeToCluster(db, "a"), "a", log, { maxAgeMs: 60 * 60_000, maxRows: 100 });
    const otherCluster = new SendLog(scopeToCluster(db, "b"), "b", log, {
      maxAgeMs: 60 * 60_000,
      maxRows: 100,
    });
    const now = Date.now();
    for (let i = 0; i < 20; i++) otherCluster.record(row(new Date(now - 2 * 60 * 60_000), `ns/b-old${i}`));
    await otherCluster.flush();
    for (let i = 0; i < 30; i++) sendLog.record(row(new Date(now - 2 * 60 * 60_000), `ns/old${i}`));
    for (let i = 0; i < 150; i++) sendLog.record(row(new Date(now - i), `ns/new${i}`));
    await sendLog.flush();
    expect(await db.metadataSend.count({ where: { clusterId: "a" } })).toBe(180);
    expect(await sendLog.prune(now)).toBe(80);
    expect(await db.metadataSend.count({ where: { clusterId: "b" } })).toBe(20);
    const left = await db.metadataSend.findMany({
      where: { clusterId: "a" },
      select: { object: true },
      orderBy: { id: "asc" },
    });
    expect(left).toHaveLength(100);
    expect(left.some((r) => r.object.startsWith("ns/old"))).toBe(false);
    // The newest are kept.
    expect(left.at(-1)!.object).toBe("ns/new149");
    expect(left[0]!.object).toBe("ns/new50");
    await sendLog.stop();
    await otherCluster.stop();
  });
});
