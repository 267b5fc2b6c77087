// The chart aggregation in the store (SQLite, or PostgreSQL in that pass) against the same
// numbers computed by hand.
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../testing/database";
import { fullScope } from "../../test/query-store";
import { sendCharts } from "./metadata-charts";

describe("sendCharts", () => {
  it("counts attempts per minute by reason and computes nearest-rank latency percentiles", async () => {
    const { db } = await createTestDatabase("metadata-charts");
    const now = Date.parse("2026-11-23T10:30:40.000Z");
    const row = (at: string, reason: string, status: string, latencyMs: number | null, clusterId = "a") => ({
      clusterId,
      at: new Date(at),
      forwarder: "crd",
      kind: "DatadogAgent",
      object: "ns/a",
      reason,
      status,
      attempt: 1,
      payload: "",
      sizeBytes: 0,
      latencyMs,
    });
    await db.metadataSend.createMany({
      data: [
        // 10:30: latencies 1..10 → p50 5, p90 9, p99 10.
        ...Array.from({ length: 10 }, (_, i) =>
          row(`2026-11-23T10:30:0${i}.000Z`, i < 7 ? "create" : "retry", i === 9 ? "failed" : "sent", i + 1),
        ),
        row("2026-11-23T10:28:59.999Z", "heartbeat", "sent", 42),
        row("2026-11-23T10:29:30.000Z", "update", "skipped", null),
        // Outside the window.
        row("2026-11-23T09:00:00.000Z", "create", "sent", 1000),
        // Another cluster's, in the window.
        row("2026-11-23T10:30:30.000Z", "update", "sent", 500, "b"),
      ],
    });
    // The whole fleet's: both clusters.
    const all = fullScope(db);
    const fleet = await sendCharts(all, {}, 3, now);
    expect(fleet[2]).toMatchObject({ counts: { create: 7, update: 1, heartbeat: 0, retry: 3 }, p99: 500 });
    const buckets = await sendCharts(all, { clusterId: "a" }, 3, now);
    expect(buckets.map((b) => b.minute)).toEqual([
      "2026-11-23T10:28:00.000Z",
      "2026-11-23T10:29:00.000Z",
      "2026-11-23T10:30:00.000Z",
    ]);
    expect(buckets[0]).toMatchObject({
      counts: { create: 0, update: 0, heartbeat: 1, retry: 0 },
      failed: 0,
      p50: 42,
      p99: 42,
    });
    // A skipped release is not an attempt.
    expect(buckets[1]).toMatchObject({ counts: { create: 0, update: 0, heartbeat: 0, retry: 0 }, p50: null });
    expect(buckets[2]).toMatchObject({
      counts: { create: 7, update: 0, heartbeat: 0, retry: 3 },
      failed: 1,
      p50: 5,
      p90: 9,
      p99: 10,
    });
    // One cluster's: the other's send is left out.
    expect((await sendCharts(all, { clusterId: "a" }, 3, now))[2]).toMatchObject({
      counts: { update: 0 },
      p99: 10,
    });
    expect((await sendCharts(all, { clusterId: "b" }, 3, now))[2]).toMatchObject({
      counts: { update: 1, create: 0 },
      p50: 500,
    });
  });
});
