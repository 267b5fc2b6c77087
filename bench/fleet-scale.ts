// The fleet page at scale: PostgreSQL holding 500 clusters × 20 DatadogAgents, each with 10
// revisions and 2,000 metadata sends (20 million send rows), and the production dashboard in
// front of it.
// - 2 clusters are live: real local clusters, each with a controller that reconciles its 20
//   agents (10 revisions each: created, then edited 9 times).
// - 1 synthetic cluster, the template, is written through the controller's own store writers
//   (registerCluster, HeartbeatWriter, AgentReadModel, SendLog, ForwarderStatusWriter), limited
//   to its cluster as a controller is.
// - the other 497 are a synthetic fill, labelled as such in the results: the template's rows
//   copied in bulk by SQL (INSERT … SELECT, its cluster id replaced), so the rows are exactly
//   what the writers write, without 20 million writes through them (the 50-cluster run took
//   857 s, most of it that). Their heartbeats are kept fresh by one UPDATE (and one change-feed
//   row per cluster, as each controller's heartbeat appends) every HEARTBEAT_MS.
// - the live clusters' sends are written through SendLog too (their forwarders send little).
// Then ANALYZE, as autovacuum would have by then. Measured: the server response time of the
// fleet page, the fleet-wide agents list and an agent page (whole HTML, p95 of sequential
// requests, through the dashboard's real queries), and the time from a live controller's write
// of an agent row to the change reaching an open page's live stream (SSE).
// FLEET_SCALE_CLUSTERS and FLEET_SCALE_SENDS change the size (e.g. 50 to compare with before).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { AgentReadModel } from "../controller/agents/read-model";
import { ForwarderStatusWriter } from "../controller/metadata/forwarder-status";
import { SendLog, type SendRecord } from "../controller/metadata/send-log";
import { scopeToCluster } from "../controller/store/cluster-scope";
import { registerCluster } from "../controller/store/clusters";
import { HeartbeatWriter } from "../controller/store/heartbeat";
import { openDatabase, type Database } from "../lib/db/open";
import type { Json } from "../lib/merge-patch";
import { clusterIdOf } from "../testing/cluster-id";
import { clusterDown, clusterUp } from "../testing/local-cluster";
import { freePort, startWeb, waitForHttp } from "../testing/processes";
import { benchStack, type BenchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { eventuallyLeader, sleep } from "./util";

const CLUSTERS = Number(process.env.FLEET_SCALE_CLUSTERS ?? 500);
const AGENTS = 20;
const REVISIONS = 10;
const SENDS = Number(process.env.FLEET_SCALE_SENDS ?? 2_000);
/** Clusters copied per statement (one transaction each). */
const CLONE_BATCH = 50;
const HEARTBEAT_MS = 3_000;
/** The dashboard's statements slower than this are kept from the server's log. */
const SLOW_MS = 100;
/** The tables a synthetic cluster has rows in, besides Cluster. */
const CLUSTER_TABLES = ["Agent", "AgentRevision", "MetadataForwarder", "ControllerHeartbeat", "MetadataSend"];
const REQUESTS = 40;
const LIVE_SAMPLES = 30;
const NAMESPACE = "fleet-scale";
const SECOND_CLUSTER = "fleetdeck-bench-b";
const TARGET_MS = { page: 300, live: 1_000 };
const log = pino({ level: "silent" });

const spec = (i: number): Json => ({
  global: { logLevel: `level-${i}` },
  features: { apm: { enabled: i % 2 === 0 } },
});
const hash = (i: number) => i.toString(16).padStart(10, "0");

/** A synthetic cluster's rows, through the writers a controller of that cluster uses. */
async function fillSynthetic(
  base: Database,
  n: number,
): Promise<{ clusterId: string; stop(): Promise<void> }> {
  const clusterId = randomUUID();
  const cluster = {
    clusterId,
    name: `synthetic-${String(n).padStart(3, "0")}`,
    kubernetesVersion: "v1.34.4",
    server: "https://synthetic",
  };
  await registerCluster(base, cluster);
  const db = scopeToCluster(base, clusterId);
  const agents = new AgentReadModel(db, clusterId);
  for (let a = 0; a < AGENTS; a++) {
    const key = `${NAMESPACE}/agent-${a}`;
    for (let r = 0; r < REVISIONS; r++) {
      const name = `agent-${a}-${hash(r)}`;
      await agents.syncAgent(
        {
          key,
          namespace: NAMESPACE,
          name: `agent-${a}`,
          uid: `${clusterId}-${a}`,
          generation: r + 1,
          spec: spec(r),
          status: {
            currentRevision: name,
            ...(r > 0 ? { previousRevision: `agent-${a}-${hash(r - 1)}` } : {}),
          },
          renderError: null,
          conditions: [],
          ignoredFields: [],
        },
        {
          revision: { agentKey: key, name, hash: hash(r), spec: spec(r), cause: "user-edit", actor: "bench" },
        },
      );
    }
  }
  await fillSends(db, clusterId);
  await new ForwarderStatusWriter(db, clusterId, `synthetic-${n}-controller`, () =>
    (["crd", "helm"] as const).map((name) => ({
      name,
      state: "on",
      message: "",
      intakeUrl: "http://synthetic/api/v1/metadata",
      activeWatches: [],
      deniedWatches: [],
      queueDepth: 0,
      snapshots: AGENTS,
      heartbeatSeconds: 600,
    })),
  ).write();
  const heartbeat = new HeartbeatWriter(db, `synthetic-${n}-controller`, cluster, () => true, "kubernetes");
  await heartbeat.beat();
  // The benchmark's own timer (no manager runs these synthetic controllers).
  const timer = setInterval(() => void heartbeat.beat().catch(() => undefined), HEARTBEAT_MS);
  return {
    clusterId,
    stop: async () => {
      clearInterval(timer);
      await heartbeat.beat(true);
    },
  };
}

/**
 * The synthetic fill: `count` clusters whose rows are copies of the template cluster's, made by
 * the database (INSERT … SELECT for every table, the cluster id replaced), CLONE_BATCH clusters
 * per statement. Returns their ids.
 */
async function cloneClusters(db: Database, templateId: string, count: number): Promise<string[]> {
  const template = await db.cluster.findUniqueOrThrow({ where: { id: templateId } });
  const columns = new Map<string, string[]>();
  for (const table of CLUSTER_TABLES) {
    const rows = await db.$queryRawUnsafe<{ column_name: string; column_default: string | null }[]>(
      `SELECT column_name::text AS column_name, column_default::text AS column_default FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      table,
    );
    // Serial ids are the table's own; the cluster id is the copy's.
    columns.set(
      table,
      rows
        .filter((c) => c.column_name !== "clusterId" && !c.column_default?.startsWith("nextval("))
        .map((c) => `"${c.column_name}"`),
    );
  }
  // Building the big tables' secondary indexes once after the copy is several times faster than
  // keeping them up to date row by row during it; they are the same indexes, re-created.
  const indexes = await db.$queryRawUnsafe<{ name: string; definition: string }[]>(
    `SELECT indexname::text AS name, indexdef::text AS definition FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename = ANY($1::text[]) AND indexdef NOT LIKE '%UNIQUE%'`,
    ["MetadataSend", "AgentRevision"],
  );
  for (const index of indexes) await db.$executeRawUnsafe(`DROP INDEX "${index.name}"`);
  const ids: string[] = [];
  for (let start = 0; start < count; start += CLONE_BATCH) {
    const batch = Array.from({ length: Math.min(CLONE_BATCH, count - start) }, (_, i) => ({
      id: randomUUID(),
      name: `synthetic-${String(start + i + 1).padStart(3, "0")}`,
    }));
    const started = Date.now();
    await db.$transaction(
      async (tx) => {
        await tx.cluster.createMany({
          data: batch.map((c) => ({
            id: c.id,
            name: c.name,
            kubernetesVersion: template.kubernetesVersion,
            apiServer: template.apiServer,
            updatedAt: new Date(),
          })),
        });
        for (const table of CLUSTER_TABLES) {
          const cols = columns.get(table)!;
          await tx.$executeRawUnsafe(
            `INSERT INTO "${table}" ("clusterId", ${cols.join(", ")})
             SELECT c.id, ${cols.map((col) => `t.${col}`).join(", ")}
             FROM "${table}" t CROSS JOIN unnest($1::text[]) AS c(id) WHERE t."clusterId" = $2`,
            batch.map((c) => c.id),
            templateId,
          );
        }
      },
      { maxWait: 60_000, timeout: 3_600_000 },
    );
    ids.push(...batch.map((c) => c.id));
    console.log(
      `[fleet-scale] synthetic fill: ${start + batch.length}/${count} clusters copied ` +
        `(${((Date.now() - started) / 1000).toFixed(0)} s for ${batch.length})`,
    );
  }
  const indexed = Date.now();
  for (const index of indexes) await db.$executeRawUnsafe(index.definition);
  console.log(
    `[fleet-scale] synthetic fill: ${indexes.length} indexes re-created in ${((Date.now() - indexed) / 1000).toFixed(0)} s`,
  );
  return ids;
}

/** The copied clusters' heartbeats: one UPDATE and one change-feed row per cluster, as their controllers would. */
function beatSynthetic(db: Database, ids: string[]): { stop(): Promise<void> } {
  const beat = (stopped: boolean) =>
    db.$transaction([
      db.controllerHeartbeat.updateMany({
        where: { clusterId: { in: ids } },
        data: { lastSeenAt: new Date(), ...(stopped ? { stoppedAt: new Date(), isLeader: false } : {}) },
      }),
      db.change.createMany({ data: ids.map((id) => ({ topic: "controller", key: `synthetic-${id}` })) }),
    ]);
  const timer = setInterval(() => void beat(false).catch(() => undefined), HEARTBEAT_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await beat(true);
    },
  };
}

/** 2,000 sends per agent of the cluster, spread over the last 48 h, through the send log. */
async function fillSends(db: Database, clusterId: string): Promise<void> {
  const sendLog = new SendLog(db, clusterId, log, {
    maxAgeMs: 72 * 3600_000,
    maxRows: AGENTS * SENDS + 1,
    maxPayloadBytes: 256 * 1024,
    maxTotalBytes: 64 * 1024 * 1024,
  });
  const now = Date.now();
  const payload = JSON.stringify({ kind: "DatadogAgent", spec: spec(1), padding: "x".repeat(300) });
  for (let a = 0; a < AGENTS; a++) {
    for (let s = 0; s < SENDS; s++) {
      const record: SendRecord = {
        at: new Date(now - (SENDS - s) * ((48 * 3600_000) / SENDS)),
        forwarder: "crd",
        kind: "DatadogAgent",
        object: `${NAMESPACE}/agent-${a}`,
        reason: s === 0 ? "create" : s % 10 === 0 ? "update" : "heartbeat",
        status: s % 97 === 0 ? "failed" : "sent",
        attempt: 1,
        payload,
        sizeBytes: payload.length,
        httpStatus: s % 97 === 0 ? 503 : 202,
        latencyMs: 5 + (s % 50),
      };
      sendLog.record(record);
    }
    await sendLog.flush();
  }
}

/** A live cluster's 20 agents, created and edited 9 times each (10 revisions), reconciled by its controller. */
async function fillLive(kc: KubeConfig, db: Database, clusterId: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const custom = kc.makeApiClient(CustomObjectsApi);
  const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents", namespace: NAMESPACE };
  await Promise.all(
    Array.from({ length: AGENTS }, async (_, a) => {
      const name = `agent-${a}`;
      await custom.createNamespacedCustomObject({
        ...dda,
        body: {
          apiVersion: "datadoghq.com/v2alpha1",
          kind: "DatadogAgent",
          metadata: { name },
          spec: spec(0),
        },
      });
      for (let r = 1; r < REVISIONS; r++) {
        await waitForRevisions(db, clusterId, `${NAMESPACE}/${name}`, r);
        const current = (await custom.getNamespacedCustomObject({ ...dda, name })) as object;
        await custom.replaceNamespacedCustomObject({ ...dda, name, body: { ...current, spec: spec(r) } });
      }
      await waitForRevisions(db, clusterId, `${NAMESPACE}/${name}`, REVISIONS);
    }),
  );
  await fillSends(scopeToCluster(db, clusterId), clusterId);
}

async function waitForRevisions(db: Database, clusterId: string, agentKey: string, count: number) {
  const deadline = Date.now() + 120_000;
  while ((await db.agentRevision.count({ where: { clusterId, agentKey } })) < count) {
    if (Date.now() > deadline) throw new Error(`${agentKey}: fewer than ${count} revisions after 120 s`);
    await sleep(100);
  }
}

/** "duration: N ms  statement: …" lines the server logged since `from`, slowest first (each once, with its count). */
function slowFromLog(file: string, from: number): { ms: number; count: number; statement: string }[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, "utf8").slice(from);
  const byStatement = new Map<string, { ms: number; count: number }>();
  for (const m of text.matchAll(/duration: ([\d.]+) ms\s+(?:statement|execute [^:]*): ([^\n]*)/g)) {
    const statement = m[2]!.slice(0, 600);
    const seen = byStatement.get(statement) ?? { ms: 0, count: 0 };
    byStatement.set(statement, { ms: Math.max(seen.ms, Number(m[1])), count: seen.count + 1 });
  }
  return [...byStatement]
    .map(([statement, v]) => ({ ...v, statement }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 30);
}

/** p95 (and p50) of a page's whole response, requested one after the other. */
async function pageTimes(url: string): Promise<{ p50: number; p95: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < 3; i++) await (await fetch(url)).text(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    samples.push(performance.now() - started);
    bytes = body.length;
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), bytes };
}

/** Edits a live agent; the time from its controller's write of the agent row to the SSE frame naming it. */
async function liveTimes(base: string, kc: KubeConfig, db: Database, clusterId: string): Promise<number[]> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/stream`, { signal: abort.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen = new Map<string, number>(); // agent key → when a frame named it
  let buffered = "";
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf("\n\n")) !== -1) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!frame.includes("event: changes")) continue;
        const data = frame
          .split("\n")
          .find((l) => l.startsWith("data: "))!
          .slice(6);
        for (const c of JSON.parse(data) as { topic: string; key: string }[])
          if (c.topic === "agents") seen.set(c.key, Date.now());
      }
    }
  })();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents", namespace: NAMESPACE };
  const samples: number[] = [];
  for (let i = 0; i < LIVE_SAMPLES; i++) {
    const name = `agent-${i % AGENTS}`;
    const key = `${NAMESPACE}/${name}`;
    const before = (await db.agent.findFirstOrThrow({ where: { clusterId, key } })).reconciledAt.getTime();
    seen.delete(key);
    const current = (await custom.getNamespacedCustomObject({ ...dda, name })) as object;
    await custom.replaceNamespacedCustomObject({ ...dda, name, body: { ...current, spec: spec(100 + i) } });
    const deadline = Date.now() + 30_000;
    let writtenAt = before;
    while (Date.now() < deadline) {
      const row = await db.agent.findFirstOrThrow({ where: { clusterId, key } });
      writtenAt = row.reconciledAt.getTime();
      if (writtenAt > before && seen.has(key)) break;
      await sleep(5);
    }
    if (!seen.has(key) || writtenAt <= before) throw new Error(`${key}: no live change within 30 s`);
    samples.push(seen.get(key)! - writtenAt);
    await sleep(300);
  }
  abort.abort();
  await reading;
  return samples;
}

export async function run(): Promise<BenchResult> {
  const stack: BenchStack = await benchStack();
  const heartbeats: { stop(): Promise<void> }[] = [];
  let db: Database | undefined;
  try {
    const url = await stack.useStore("postgresql");
    db = await openDatabase({ url, poolSize: 10 });
    const { handle: second } = await clusterUp(SECOND_CLUSTER);
    const kcB = new KubeConfig();
    kcB.loadFromFile(second.kubeconfig);
    const live = [
      { kc: stack.kc, kubeconfig: stack.handle.kubeconfig, id: stack.clusterId },
      { kc: kcB, kubeconfig: second.kubeconfig, id: await clusterIdOf(kcB) },
    ];
    for (const [i, c] of live.entries()) {
      const controller = await stack.startController(`fleet-live-${i}`, { KUBECONFIG: c.kubeconfig }, url);
      await eventuallyLeader(controller);
    }

    const fillStarted = Date.now();
    await Promise.all(live.map((c) => fillLive(c.kc, db!, c.id)));
    const liveFilledS = (Date.now() - fillStarted) / 1000;
    // The template through the writers, then the synthetic fill copied from it.
    const template = await fillSynthetic(db, 0);
    heartbeats.push(template);
    const templateS = (Date.now() - fillStarted) / 1000;
    const copies = await cloneClusters(db, template.clusterId, CLUSTERS - live.length - 1);
    heartbeats.push(beatSynthetic(db, copies));
    const copyS = (Date.now() - fillStarted) / 1000 - templateS;
    await db.$executeRawUnsafe("ANALYZE");
    const fillS = (Date.now() - fillStarted) / 1000;
    const rows = {
      clusters: await db.cluster.count(),
      agents: await db.agent.count(),
      revisions: await db.agentRevision.count(),
      sends: await db.metadataSend.count(),
    };
    console.log(
      `[fleet-scale] filled in ${fillS.toFixed(0)} s (live clusters ${liveFilledS.toFixed(0)} s, template ` +
        `${(templateS - liveFilledS).toFixed(0)} s, synthetic copies ${copyS.toFixed(0)} s): ${JSON.stringify(rows)}`,
    );

    // Statements of the dashboard slower than SLOW_MS go to the server's log, kept in the results.
    const [{ database, data }] = (await db.$queryRawUnsafe<{ database: string; data: string }[]>(
      "SELECT current_database()::text AS database, current_setting('data_directory') AS data",
    )) as [{ database: string; data: string }];
    await db.$executeRawUnsafe(`ALTER DATABASE "${database}" SET log_min_duration_statement = ${SLOW_MS}`);
    const serverLog = path.join(path.dirname(data), "server.log");
    const logStart = fs.existsSync(serverLog) ? fs.statSync(serverLog).size : 0;

    const port = await freePort();
    const web = startWeb("fleet-scale-web", { DATABASE_URL: url, FLEETDECK_WEB_PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${base}/login`, { proc: web });
      const liveName = (await db.cluster.findUniqueOrThrow({ where: { id: live[0]!.id } })).name;
      const overview = await pageTimes(`${base}/`);
      const agents = await pageTimes(`${base}/agents`);
      const agent = await pageTimes(`${base}/agents/${encodeURIComponent(liveName)}/${NAMESPACE}/agent-3`);
      const liveMs = await liveTimes(base, stack.kc, db, live[0]!.id);
      const slowStatements = slowFromLog(serverLog, logStart);
      return {
        summary: {
          clusters: rows.clusters,
          overview_p95_ms: overview.p95,
          agents_p95_ms: agents.p95,
          agent_p95_ms: agent.p95,
          live_p95_ms: percentile(liveMs, 95),
        },
        details: {
          rows,
          fill: {
            seconds: fillS,
            live_seconds: liveFilledS,
            template_seconds: templateS - liveFilledS,
            synthetic_copy_seconds: copyS,
            how:
              `${live.length} live clusters and 1 template through the controller's writers; ` +
              `${copies.length} synthetic clusters copied from the template by SQL`,
          },
          requests_per_page: REQUESTS,
          overview,
          agents,
          agent,
          live_p50_ms: percentile(liveMs, 50),
          live_samples_ms: liveMs,
          slow_statements: slowStatements,
          target: { page_p95_ms: TARGET_MS.page, live_p95_ms: TARGET_MS.live },
        },
      };
    } finally {
      await web.stop();
    }
  } finally {
    for (const h of heartbeats) await h.stop();
    await db?.$disconnect();
    await stack.close();
    if (process.env.BENCH_KEEP !== "1") await clusterDown(SECOND_CLUSTER);
  }
}
