// The Metadata page: the send log (filters, pages, clusters), a send with its diff from the
// previous one, the forwarders, the charts of one cluster or all.
import { describe, expect, it } from "vitest";
import type { MetadataFilters } from "@/components/lib/metadata-filters";
import { watchesColumn } from "@/lib/read-model/metadata";
import { addCluster, queryStore, fullScope } from "@/test/query-store";
import { getSendDetail, listForwarders, listSends } from "./metadata";
import { sendCharts } from "./metadata-charts";

const db = queryStore();
const all = () => fullScope(db());

interface Send {
  clusterId?: string;
  forwarder?: string;
  kind?: string;
  object?: string;
  reason?: string;
  status?: string;
  payload?: string;
  sizeBytes?: number;
  error?: string | null;
  at?: Date;
}

/** A send-log row as controller/metadata/send-log.ts writes it; returns its id. */
async function send(row: Send = {}): Promise<number> {
  const payload = row.payload ?? "";
  const created = await db().metadataSend.create({
    data: {
      clusterId: row.clusterId ?? "uid-e",
      at: row.at ?? new Date(),
      forwarder: row.forwarder ?? "crd",
      kind: row.kind ?? "DatadogAgent",
      object: row.object ?? "datadog/agent",
      reason: row.reason ?? "update",
      status: row.status ?? "sent",
      payload,
      sizeBytes: row.sizeBytes ?? payload.length,
      httpStatus: row.status === "failed" ? 503 : 202,
      latencyMs: 12,
      error: row.error ?? null,
    },
  });
  return created.id;
}

const objects = async (filters: MetadataFilters) =>
  (await listSends(all(), filters)).rows.map((r) => r.object);

describe("listSends", () => {
  it("pages newest first and filters by forwarder, kind, status and reason exactly", async () => {
    await send({ object: "datadog/a", forwarder: "crd", reason: "create" });
    await send({ object: "datadog/b", forwarder: "helm", kind: "HelmRelease", reason: "heartbeat" });
    await send({
      object: "datadog/c",
      status: "failed",
      reason: "retry",
      error: "503: Authorization: Bearer abcdef123456",
    });
    await send({ object: "datadog/d", status: "skipped" });
    const first = await listSends(all(), {}, undefined, 3);
    expect(first.rows.map((r) => r.object)).toEqual(["datadog/d", "datadog/c", "datadog/b"]);
    expect(await listSends(all(), {}, first.nextCursor!, 3)).toMatchObject({
      rows: [{ object: "datadog/a" }],
      nextCursor: null,
    });
    expect(await objects({ forwarder: "helm" })).toEqual(["datadog/b"]);
    expect(await objects({ kind: "DatadogAgent" })).toEqual(["datadog/d", "datadog/c", "datadog/a"]);
    expect(await objects({ status: "failed" })).toEqual(["datadog/c"]);
    expect(await objects({ reason: "create" })).toEqual(["datadog/a"]);
    expect(await objects({ forwarder: "crd", status: "sent" })).toEqual(["datadog/a"]);
    const failed = (await listSends(all(), { status: "failed" })).rows[0]!;
    expect(failed).toMatchObject({
      error: "503: Authorization: Bearer [redacted]",
      httpStatus: 503,
      clusterName: "uid-e",
    });
    expect(failed).not.toHaveProperty("payload");
  });

  it("finds objects containing the text, ASCII case ignored and every character literal, on both stores", async () => {
    for (const object of ["datadog/Agent", "monitoring/agent-b", "ns/a_b", "ns/axb", "ns/a%b"])
      await send({ object });
    expect(await objects({ object: "AGENT" })).toEqual(["monitoring/agent-b", "datadog/Agent"]);
    expect(await objects({ object: "a_b" })).toEqual(["ns/a_b"]);
    expect(await objects({ object: "%" })).toEqual(["ns/a%b"]);
  });

  it("filters by cluster name or id; an unknown cluster has no sends", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    await send({ clusterId: "uid-e", object: "ns/east" });
    await send({ clusterId: "uid-w", object: "ns/west" });
    expect(await objects({})).toEqual(["ns/west", "ns/east"]);
    expect(await objects({ cluster: "west" })).toEqual(["ns/west"]);
    expect(await objects({ cluster: "uid-e" })).toEqual(["ns/east"]);
    expect(await listSends(all(), { cluster: "north" })).toEqual({ rows: [], nextCursor: null });
    expect((await listSends(all(), {})).rows.map((r) => r.clusterName)).toEqual(["west", "east"]);
  });
});

describe("getSendDetail", () => {
  it("shows the payload as YAML and the diff from the previous send of the same object that kept one", async () => {
    const payload = (site: string) =>
      JSON.stringify({ crd_spec_full: JSON.stringify({ site }), crd_name: "agent" });
    const first = await send({ payload: payload("datadoghq.com") });
    await send({ object: "datadog/other", payload: payload("other") });
    await send({ clusterId: "uid-w", payload: payload("west") });
    await send({ reason: "heartbeat", status: "skipped", payload: "" });
    const second = await send({ payload: payload("datadoghq.eu") });
    const detail = (await getSendDetail(all(), second))!;
    expect(detail.previous).toMatchObject({ id: first, reason: "update", status: "sent" });
    expect(detail.view).toContain("site: datadoghq.eu");
    expect(detail.diff!.filter((p) => p.kind !== "same").map((p) => [p.kind, p.text.trim()])).toEqual([
      ["removed", "site: datadoghq.com"],
      ["added", "site: datadoghq.eu"],
    ]);
    expect(await getSendDetail(all(), first)).toMatchObject({
      previous: null,
      diff: null,
      payloadNotKept: false,
    });
    expect(await getSendDetail(all(), second + 100)).toBeNull();
  });

  it("shows both payloads, not a diff, when two ~70 KB payloads have nothing in common", async () => {
    // Helm values of ~2,000 lines each, every line different: a quadratic diff took ~25 s.
    const values = (tag: string) =>
      JSON.stringify({
        helm_full_configuration: Array.from(
          { length: 2_000 },
          (_, i) => `key_${tag}_${i}: value-${i}-${"x".repeat(16)}`,
        ).join("\n"),
      });
    const first = await send({ forwarder: "helm", kind: "HelmRelease", payload: values("a") });
    const second = await send({ forwarder: "helm", kind: "HelmRelease", payload: values("b") });
    const detail = (await getSendDetail(all(), second))!;
    expect(detail.payload.length).toBeGreaterThan(70_000);
    expect(detail.previous?.id).toBe(first);
    expect(detail.diff).toBeNull();
    expect(detail.diffSkipped).toBe("too different to diff (more than 1000 changed lines): here are both");
    expect(detail.previousView).toContain("key_a_1999: value-1999-");
    expect(detail.view).toContain("key_b_1999: value-1999-");
  });

  it("tells a payload not kept from a send without one, and redacts what was stored", async () => {
    const dropped = await send({ payload: "", sizeBytes: 2048 });
    const skipped = await send({ status: "skipped", payload: "", sizeBytes: 0 });
    const secret = await send({ payload: JSON.stringify({ note: "Authorization: Bearer abcdef123456" }) });
    expect(await getSendDetail(all(), dropped)).toMatchObject({ payload: "", payloadNotKept: true });
    expect(await getSendDetail(all(), skipped)).toMatchObject({
      payload: "",
      payloadNotKept: false,
      previous: null,
    });
    expect((await getSendDetail(all(), secret))!.payload).toBe(
      JSON.stringify({ note: "Authorization: Bearer [redacted]" }),
    );
  });
});

describe("listForwarders", () => {
  it("lists each cluster's forwarders by cluster name then name, watches decoded", async () => {
    await addCluster(db(), "uid-a", "zulu");
    await addCluster(db(), "uid-z", "alpha");
    const watches = [{ kind: "DatadogAgent", group: "datadoghq.com", resource: "datadogagents" }];
    for (const [clusterId, name] of [
      ["uid-a", "helm"],
      ["uid-a", "crd"],
      ["uid-z", "crd"],
    ] as const)
      await db().metadataForwarder.create({
        data: {
          clusterId,
          name,
          state: "on",
          intakeUrl: "http://127.0.0.1:1/api/v1/metadata",
          controllerId: `${clusterId}-a`,
          activeWatches: watchesColumn.encode(watches),
          deniedWatches: "[]",
          heartbeatSeconds: 600,
          lastSendAt: new Date("2026-12-01T10:00:00Z"),
          updatedAt: new Date(),
        },
      });
    const rows = await listForwarders(all());
    expect(rows.map((f) => `${f.clusterName} ${f.name}`)).toEqual(["alpha crd", "zulu crd", "zulu helm"]);
    expect(rows[0]).toMatchObject({
      activeWatches: watches,
      deniedWatches: [],
      lastSendAt: "2026-12-01T10:00:00.000Z",
      lastHeartbeatAt: null,
    });
    expect((await listForwarders(all(), { clusterId: "uid-a" })).map((f) => f.name)).toEqual(["crd", "helm"]);
  });
});

describe("sendCharts", () => {
  it("counts the last hour's attempts of the fleet or of one cluster", async () => {
    await send({ clusterId: "uid-e", reason: "create" });
    await send({ clusterId: "uid-w", reason: "create" });
    await send({ clusterId: "uid-w", reason: "create", at: new Date(Date.now() - 2 * 3600_000) });
    const total = (buckets: Awaited<ReturnType<typeof sendCharts>>) =>
      buckets.reduce((n, b) => n + b.counts.create, 0);
    const fleet = await sendCharts(all());
    expect(fleet).toHaveLength(60);
    expect(total(fleet)).toBe(2);
    expect(total(await sendCharts(all(), { clusterId: "uid-w" }))).toBe(1);
    expect(total(await sendCharts(all(), { clusterId: "uid-w" }, 180))).toBe(2);
  });
});
