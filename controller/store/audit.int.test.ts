// Audit retention on a real SQLite file: rows past retention go, in batches, and the prune
// leaves a row saying how many and from when, another cluster's rows are left to its own leader;
// details are stored redacted.
import { describe, expect, it } from "vitest";
import pino from "pino";
import { createTestDatabase } from "../../testing/database";
import { AuditRetention, pruneAudit, recordAudit } from "./audit";
import { scopeToCluster } from "./cluster-scope";

const log = pino({ level: "silent" });
const DAY = 86_400_000;

describe("audit retention", () => {
  it("deletes rows older than the retention, oldest first in batches, and records the prune", async () => {
    const { db } = await createTestDatabase("audit-retention");
    const now = Date.now();
    const row = (daysAgo: number, i: number) => ({
      clusterId: "a",
      at: new Date(now - daysAgo * DAY - i),
      actor: "tester",
      action: "command.requested",
      targetKind: "DatadogAgent",
      target: `ns/a${i}`,
      source: "web",
    });
    await db.auditEvent.createMany({ data: Array.from({ length: 25 }, (_, i) => row(120, i)) });
    await db.auditEvent.createMany({ data: Array.from({ length: 5 }, (_, i) => row(10, i)) });
    // Another cluster's old rows are its own leader's to prune.
    await db.auditEvent.createMany({
      data: Array.from({ length: 7 }, (_, i) => ({ ...row(120, i), clusterId: "b" })),
    });
    expect(await pruneAudit(db, "a", new Date(now - 365 * DAY), 10)).toBe(0);

    const retention = new AuditRetention(
      scopeToCluster(db, "a"),
      { clusterId: "a", retentionDays: 90, actor: "controller-1" },
      log,
    );
    expect(await retention.prune(now)).toBe(25);
    expect(await db.auditEvent.count({ where: { clusterId: "b" } })).toBe(7);
    const left = await db.auditEvent.findMany({ where: { clusterId: "a" }, orderBy: { id: "asc" } });
    expect(left.filter((r) => r.action === "command.requested")).toHaveLength(5);
    const pruned = left.find((r) => r.action === "audit.pruned")!;
    expect(pruned.actor).toBe("controller-1");
    expect(JSON.parse(pruned.details)).toEqual({
      deleted: 25,
      before: new Date(now - 90 * DAY).toISOString(),
      retentionDays: 90,
    });
    expect(await retention.prune(now)).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "audit.pruned" } })).toBe(1);
    await db.$disconnect();
  });

  it("stores details without the secrets they would carry", async () => {
    const { db } = await createTestDatabase("audit-redaction");
    await db.$transaction((tx) =>
      recordAudit(tx, "a", {
        actor: "controller-1",
        action: "experiment.started",
        targetKind: "DatadogAgent",
        target: "ns/a",
        details: { config: { global: { clusterAgentToken: "tok-audit-1" } }, note: "password=pw-audit-2" },
      }),
    );
    const stored = await db.auditEvent.findFirstOrThrow();
    expect(stored.details).not.toContain("tok-audit-1");
    expect(stored.details).not.toContain("pw-audit-2");
    await db.$disconnect();
  });
});
