// The send log on a real database: batched writes with their change-feed row, and retention
// that prunes this cluster's rows only.
import { describe, expect, it } from "vitest";
import pino from "pino";
import { createTestDatabase } from "../../testing/database";
import { eventually } from "../../test/harness";
import { scopeToCluster } from "../store/cluster-scope";
import { SendLog, type SendRecord } from "./send-log";

const log = pino({ level: "silent" });

const BUDGETS = { maxPayloadBytes: 64 * 1024, maxTotalBytes: 64 * 1024 * 1024 };

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
      ...BUDGETS,
    });
    for (let i = 0; i < 50; i++) sendLog.record(row(new Date(), `ns/a${i}`));
    await eventually(async () => expect(await db.metadataSend.count()).toBe(50));
    expect(await db.change.count({ where: { topic: "metadata" } })).toBe(1);
    await sendLog.flush();
  });

  it("prunes its cluster's rows older than the maximum age and beyond the maximum count, not another's", async () => {
    const { db } = await createTestDatabase("send-log-retention");
    const sendLog = new SendLog(scopeToCluster(db, "a"), "a", log, {
      maxAgeMs: 60 * 60_000,
      maxRows: 100,
      ...BUDGETS,
    });
    const otherCluster = new SendLog(scopeToCluster(db, "b"), "b", log, {
      maxAgeMs: 60 * 60_000,
      maxRows: 100,
      ...BUDGETS,
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
    await sendLog.flush();
    await otherCluster.flush();
  });

  // Issue 13: a release of ~16 KB of gzip became a ~32 MB row on every send, heartbeat and retry.
  it("keeps no payload above the per-row budget: the row stays, with its size and status", async () => {
    const { db } = await createTestDatabase("send-log-row-budget");
    const sendLog = new SendLog(scopeToCluster(db, "a"), "a", log, {
      maxAgeMs: 3_600_000,
      maxRows: 1000,
      ...BUDGETS,
    });
    const big = JSON.stringify({ padding: "x".repeat(200 * 1024) });
    sendLog.record({ ...row(new Date(), "ns/big"), payload: big, sizeBytes: big.length });
    sendLog.record(row(new Date(), "ns/small"));
    await sendLog.flush();
    const rows = await db.metadataSend.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.object, r.status, r.sizeBytes, r.payload.length])).toEqual([
      ["ns/big", "sent", big.length, 0],
      ["ns/small", "sent", 2, 2],
    ]);
    await sendLog.flush();
  });

  it("empties the oldest payloads once the kept ones pass the total budget", async () => {
    const { db } = await createTestDatabase("send-log-total-budget");
    const sendLog = new SendLog(scopeToCluster(db, "a"), "a", log, {
      maxAgeMs: 3_600_000,
      maxRows: 1000,
      maxPayloadBytes: 64 * 1024,
      maxTotalBytes: 1024 * 1024,
    });
    const payload = JSON.stringify({ padding: "y".repeat(50 * 1024 - 16) });
    for (let i = 0; i < 30; i++)
      sendLog.record({ ...row(new Date(), `ns/a${i}`), payload, sizeBytes: payload.length });
    await sendLog.flush();
    expect(await sendLog.prune()).toBe(10);
    const rows = await db.metadataSend.findMany({ orderBy: { id: "asc" } });
    expect(rows).toHaveLength(30);
    // 20 × 50 KiB fit in 1 MiB: the newest 20 keep their payload, the 10 oldest lose it.
    expect(rows.map((r) => r.payload.length > 0)).toEqual([
      ...Array(10).fill(false),
      ...Array(20).fill(true),
    ]);
    expect(rows.every((r) => r.sizeBytes === payload.length)).toBe(true);
    expect(await sendLog.prune()).toBe(0);
    await sendLog.flush();
  });

  it("stores error texts without the secrets they quote", async () => {
    const { db } = await createTestDatabase("send-log-errors");
    const sendLog = new SendLog(scopeToCluster(db, "a"), "a", log, {
      maxAgeMs: 3_600_000,
      maxRows: 1000,
      ...BUDGETS,
    });
    sendLog.record({
      ...row(new Date(), "ns/failed"),
      status: "failed",
      error: "connect ECONNREFUSED http://intake:hunter2@10.0.0.1:443 (password=hunter3)",
    });
    await sendLog.flush();
    const stored = await db.metadataSend.findFirstOrThrow({ where: { object: "ns/failed" } });
    expect(stored.error).toBe(
      "connect ECONNREFUSED http://intake:[redacted]@10.0.0.1:443 (password=[redacted])",
    );
    await sendLog.flush();
  });
});
