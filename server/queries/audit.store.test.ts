// The audit trail as the dashboard reads it: filters, keyset pages, clusters, and text filters
// that mean the same on SQLite and PostgreSQL (./text-filter.ts).
import { describe, expect, it } from "vitest";
import type { AuditFilters } from "@/components/lib/audit-filters";
import { recordAudit } from "@/controller/store/audit";
import { addCluster, queryStore, fullScope } from "@/test/query-store";
import { allAudit, auditFacets, listAudit } from "./audit";

const db = queryStore();
const all = () => fullScope(db());

/** An audit row as the controller writes it (or the dashboard, for `clusterId` null). */
async function audit(
  clusterId: string | null,
  row: { actor?: string; action?: string; target?: string; at?: string; details?: string },
): Promise<void> {
  if (clusterId !== null && !row.at && !row.details) {
    await recordAudit(db(), clusterId, {
      actor: row.actor ?? "alice",
      action: row.action ?? "command.requested",
      targetKind: "DatadogAgent",
      target: row.target ?? "datadog/agent",
    });
    return;
  }
  await db().auditEvent.create({
    data: {
      clusterId,
      actor: row.actor ?? "alice",
      action: row.action ?? "command.requested",
      targetKind: "DatadogAgent",
      target: row.target ?? "datadog/agent",
      details: row.details ?? "{}",
      source: clusterId === null ? "web" : "controller",
      ...(row.at ? { at: new Date(row.at) } : {}),
    },
  });
}

const targets = async (filters: AuditFilters) => (await listAudit(all(), filters)).rows.map((r) => r.target);

describe("listAudit", () => {
  it("pages newest first by id, with the cursor of the next page", async () => {
    await addCluster(db(), "uid-e", "east");
    for (const n of [1, 2, 3, 4, 5]) await audit("uid-e", { target: `ns/a${n}` });
    const first = await listAudit(all(), {}, undefined, 2);
    expect(first.rows.map((r) => r.target)).toEqual(["ns/a5", "ns/a4"]);
    const second = await listAudit(all(), {}, first.nextCursor!, 2);
    expect(second.rows.map((r) => r.target)).toEqual(["ns/a3", "ns/a2"]);
    const last = await listAudit(all(), {}, second.nextCursor!, 2);
    expect(last).toMatchObject({ rows: [{ target: "ns/a1" }], nextCursor: null });
  });

  it("filters by cluster name or id; an unknown cluster has no entries, the dashboard's own belong to none", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    await audit("uid-e", { target: "ns/east" });
    await audit("uid-w", { target: "ns/west" });
    await audit(null, { actor: "admin", action: "auth.login", target: "" });
    expect(await targets({})).toEqual(["", "ns/west", "ns/east"]);
    expect(await targets({ cluster: "east" })).toEqual(["ns/east"]);
    expect(await targets({ cluster: "uid-w" })).toEqual(["ns/west"]);
    expect(await targets({ cluster: "north" })).toEqual([]);
    const rows = (await listAudit(all(), {})).rows;
    expect(rows.map((r) => [r.clusterId, r.clusterName])).toEqual([
      [null, null],
      ["uid-w", "west"],
      ["uid-e", "east"],
    ]);
  });

  it("matches the actor and an action exactly, an action ending in a dot as a prefix", async () => {
    await addCluster(db(), "uid-e", "east");
    await audit("uid-e", { actor: "alice", action: "command.requested", target: "ns/1" });
    await audit("uid-e", { actor: "Alice", action: "command.applied", target: "ns/2" });
    await audit("uid-e", { actor: "bob", action: "experiment.started", target: "ns/3" });
    await audit("uid-e", { actor: "bob", action: "commands.pruned", target: "ns/4" });
    expect(await targets({ actor: "alice" })).toEqual(["ns/1"]);
    expect(await targets({ actor: "ALICE" })).toEqual([]);
    expect(await targets({ action: "command.applied" })).toEqual(["ns/2"]);
    expect(await targets({ action: "command" })).toEqual([]);
    expect(await targets({ action: "command." })).toEqual(["ns/2", "ns/1"]);
    // A prefix is a text filter: ASCII case ignored on both stores.
    expect(await targets({ action: "Command." })).toEqual(["ns/2", "ns/1"]);
    expect(await targets({ actor: "bob", action: "experiment." })).toEqual(["ns/3"]);
  });

  it("finds a target containing the text, ASCII letters in either case, on both stores", async () => {
    await addCluster(db(), "uid-e", "east");
    for (const target of ["datadog/Agent", "datadog/agent-b", "monitoring/AGENT", "other/x", "ns/Ärger"])
      await audit("uid-e", { target });
    expect(await targets({ target: "agent" })).toEqual([
      "monitoring/AGENT",
      "datadog/agent-b",
      "datadog/Agent",
    ]);
    expect(await targets({ target: "AGENT" })).toEqual([
      "monitoring/AGENT",
      "datadog/agent-b",
      "datadog/Agent",
    ]);
    expect(await targets({ target: "datadog/" })).toEqual(["datadog/agent-b", "datadog/Agent"]);
    // Beyond ASCII a letter matches only itself (SQLite's LIKE folds ASCII only).
    expect(await targets({ target: "Ärger" })).toEqual(["ns/Ärger"]);
    expect(await targets({ target: "ärger" })).toEqual([]);
  });

  it("reads %, _ and \\ in a text filter as themselves, not as LIKE's wildcards or escape", async () => {
    await addCluster(db(), "uid-e", "east");
    for (const target of ["ns/a_b", "ns/axb", "ns/a%b", "ns/a\\b", "ns/ab"]) await audit("uid-e", { target });
    expect(await targets({ target: "a_b" })).toEqual(["ns/a_b"]);
    expect(await targets({ target: "%" })).toEqual(["ns/a%b"]);
    expect(await targets({ target: "\\" })).toEqual(["ns/a\\b"]);
    expect(await targets({ action: "command_" })).toEqual([]);
  });

  it("fills a page when the store's match is wider than the filter", async () => {
    await addCluster(db(), "uid-e", "east");
    // "a_b" matches "axb" too in SQLite's LIKE: the rows it finds that do not match are dropped
    // and the page is read on until it is full.
    await audit("uid-e", { target: "ns/a_b-1" });
    await audit("uid-e", { target: "ns/a_b-2" });
    for (let i = 0; i < 6; i++) await audit("uid-e", { target: `ns/axb-${i}` });
    await audit("uid-e", { target: "ns/a_b-3" });
    const first = await listAudit(all(), { target: "a_b" }, undefined, 2);
    expect(first.rows.map((r) => r.target)).toEqual(["ns/a_b-3", "ns/a_b-2"]);
    expect(first.nextCursor).not.toBeNull();
    const second = await listAudit(all(), { target: "a_b" }, first.nextCursor!, 2);
    expect(second).toMatchObject({ rows: [{ target: "ns/a_b-1" }], nextCursor: null });
  });

  it("keeps entries from `from` to `to`, both included", async () => {
    await addCluster(db(), "uid-e", "east");
    await audit("uid-e", { target: "ns/early", at: "2026-12-01T09:59:59.999Z" });
    await audit("uid-e", { target: "ns/from", at: "2026-12-01T10:00:00.000Z" });
    await audit("uid-e", { target: "ns/to", at: "2026-12-01T11:00:00.000Z" });
    await audit("uid-e", { target: "ns/late", at: "2026-12-01T11:00:00.001Z" });
    const window = { from: "2026-12-01T10:00:00.000Z", to: "2026-12-01T11:00:00.000Z" };
    expect(await targets(window)).toEqual(["ns/to", "ns/from"]);
    expect(await targets({ from: window.from })).toEqual(["ns/late", "ns/to", "ns/from"]);
    // An unreadable date is no filter.
    expect(await targets({ to: "yesterday" })).toHaveLength(4);
  });

  it("shows details redacted, and details that are not JSON as raw text", async () => {
    await addCluster(db(), "uid-e", "east");
    await audit("uid-e", {
      target: "ns/json",
      details: JSON.stringify({ apiKey: "abcdef0123456789", ok: 1 }),
    });
    await audit("uid-e", { target: "ns/raw", details: "not json" });
    const [raw, json] = (await listAudit(all(), {})).rows;
    expect(raw!.details).toEqual({ raw: "not json" });
    expect(json!.details).toEqual({ apiKey: "[redacted]", ok: 1 });
    expect(json!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe("allAudit", () => {
  it("yields every matching row, newest first, across batches", async () => {
    await addCluster(db(), "uid-e", "east");
    for (let i = 0; i < 7; i++) await audit("uid-e", { target: i % 2 ? `ns/odd-${i}` : `ns/even-${i}` });
    const rows: string[] = [];
    for await (const row of allAudit(all(), { target: "even" }, 2)) rows.push(row.target);
    expect(rows).toEqual(["ns/even-6", "ns/even-4", "ns/even-2", "ns/even-0"]);
  });
});

describe("auditFacets", () => {
  it("lists distinct actors and actions in byte order", async () => {
    await addCluster(db(), "uid-e", "east");
    await audit("uid-e", { actor: "bob", action: "experiment.started" });
    await audit("uid-e", { actor: "alice", action: "command.requested" });
    await audit("uid-e", { actor: "bob", action: "command.requested" });
    await audit(null, { actor: "Zed", action: "auth.login" });
    expect(await auditFacets(all())).toEqual({
      actors: ["Zed", "alice", "bob"],
      actions: ["auth.login", "command.requested", "experiment.started"],
    });
  });
});
