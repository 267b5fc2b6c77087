// appendRows on the run's store (SQLite, or PostgreSQL in its pass): rows appended, upserted
// and updated read back through the models exactly as Prisma would have written them, all
// batches or none, and on SQLite no interleaving with an interactive transaction open meanwhile.
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../testing/database";
import { appendRows, changeRow } from "./rows";

const COLUMNS = ["clusterId", "at", "forwarder", "kind", "object", "revision", "reason", "status", "attempt"];
const more = ["payload", "sizeBytes", "httpStatus", "latencyMs", "error"];

describe("appendRows", () => {
  it("writes rows the models read back as written, with their change-feed row", async () => {
    const { db } = await createTestDatabase("rows");
    const at = new Date("2026-12-05T10:11:12.345Z");
    await appendRows(db, [
      {
        table: "MetadataSend",
        columns: [...COLUMNS, ...more],
        rows: [
          [
            "c1",
            at,
            "crd",
            "DatadogAgent",
            "ns/a",
            null,
            "create",
            "sent",
            1,
            '{"x":"é"}',
            9,
            202,
            1.25,
            null,
          ],
          ["c1", at, "helm", "HelmRelease", "ns/r", 3, "retry", "failed", 2, "", 0, null, null, "boom"],
        ],
      },
      changeRow("metadata", "sends", at),
    ]);
    const rows = await db.metadataSend.findMany({ where: { clusterId: "c1" }, orderBy: { id: "asc" } });
    expect(rows).toMatchObject([
      {
        at,
        forwarder: "crd",
        object: "ns/a",
        revision: null,
        payload: '{"x":"é"}',
        latencyMs: 1.25,
        error: null,
      },
      { at, forwarder: "helm", revision: 3, attempt: 2, httpStatus: null, error: "boom" },
    ]);
    // Compared as Prisma compares them: a row of "at" is older than a moment after it.
    expect(await db.metadataSend.count({ where: { at: { lt: new Date(at.getTime() + 1) } } })).toBe(2);
    expect(await db.metadataSend.count({ where: { at: { lt: at } } })).toBe(0);
    expect(await db.change.findMany({ where: { topic: "metadata" } })).toMatchObject([{ key: "sends", at }]);
  });

  it("writes nothing when a row of the batch fails", async () => {
    const { db } = await createTestDatabase("rows-fail");
    await expect(
      appendRows(db, [
        changeRow("metadata", "sends"),
        {
          table: "MetadataSend",
          columns: COLUMNS,
          // The second row lacks a NOT NULL column (kind).
          rows: [
            ["c1", new Date(), "crd", "DatadogAgent", "ns/a", null, "create", "sent", 1],
            ["c1", new Date(), "crd", null, "ns/b", null, "create", "sent", 1],
          ],
        },
      ]),
    ).rejects.toThrow();
    expect(await db.metadataSend.count()).toBe(0);
    expect(await db.change.count({ where: { topic: "metadata" } })).toBe(0);
  });

  it("waits for an interactive transaction open at the time instead of joining it", async () => {
    const { db } = await createTestDatabase("rows-tx");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = db
      .$transaction(async (tx) => {
        await tx.change.createMany({ data: [{ topic: "inside" }] });
        await held;
        throw new Error("rolled back on purpose");
      })
      .catch((error: Error) => error.message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const appended = appendRows(db, [changeRow("metadata", "outside")]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await transaction).toBe("rolled back on purpose");
    await appended;
    // The rolled-back transaction took only its own row with it.
    expect((await db.change.findMany()).map((c) => c.topic)).toEqual(["metadata"]);
  });

  it("upserts on the table's key and runs updates, in order, in the same transaction", async () => {
    const { db } = await createTestDatabase("rows-upsert");
    const at = new Date("2026-12-06T08:00:00.000Z");
    const rollout = (state: string, agentKey: string) => ["c1", agentKey, state, `{"s":"${state}"}`, at];
    const batch = (rows: (string | Date)[][]) => ({
      table: "AgentRollout",
      columns: ["clusterId", "agentKey", "state", "rollout", "updatedAt"],
      rows,
      upsertOn: ["clusterId", "agentKey"],
    });
    await appendRows(db, [batch([rollout("progressing", "ns/a"), rollout("progressing", "ns/b")])]);
    await appendRows(db, [
      batch([rollout("healthy", "ns/a")]),
      { sql: 'DELETE FROM "AgentRollout" WHERE "clusterId" = ? AND "agentKey" = ?', params: ["c1", "ns/b"] },
      {
        table: "AgentRevision",
        columns: ["clusterId", "agentKey", "name", "hash", "spec", "specRedacted", "cause", "actor", "at"],
        rows: [["c1", "ns/a", "a-1", "h1", "{}", true, "user-edit", "me", at]],
      },
      {
        sql: 'UPDATE "AgentRevision" SET "inCluster" = ? WHERE "clusterId" = ? AND "name" = ?',
        params: [false, "c1", "a-1"],
      },
    ]);
    expect(await db.agentRollout.findMany({ where: { clusterId: "c1" } })).toEqual([
      { clusterId: "c1", agentKey: "ns/a", state: "healthy", rollout: '{"s":"healthy"}', updatedAt: at },
    ]);
    expect(await db.agentRevision.findMany({ where: { clusterId: "c1" } })).toMatchObject([
      { name: "a-1", specRedacted: true, inCluster: false, at },
    ]);
  });
});
