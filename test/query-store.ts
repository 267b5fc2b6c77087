// The store tests of the dashboard's queries (server/queries/*.store.test.ts, `vitest --project
// store`): the queries read the database server/db.ts opens from DATABASE_URL, here a new test
// database of the run's store (SQLite, or PostgreSQL with FLEETDECK_TEST_STORE=postgresql),
// emptied before each test. Rows are written by the controller's own store writers where they
// are plain functions, and otherwise with Prisma in the shape those writers give them.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Database } from "../lib/db/open";
import type { AgentRollout, WorkloadRollout } from "../lib/rollout";
import { Prisma } from "../prisma/generated/sqlite/client";
import type { AgentSnapshot } from "../controller/agents/read-model";
import type { Answer } from "../controller/access/read-model";
import { viewQuestion, type View } from "../lib/access";
import { registerCluster } from "../controller/store/clusters";
import type { Actor } from "../server/actor";
import { openDb } from "../server/db";
import { readScope, scopeOf, type ReadScope } from "../server/scope/read-scope";
import { createTestDatabaseUrl, testStoreProvider } from "../testing/database";
import { SQLITE_TEMPLATE_ENV } from "./store-setup";

/** The dashboard's database for this test file; call at the top of the file. */
export function queryStore(): () => Database {
  let db: Database | undefined;
  beforeAll(async () => {
    process.env.DATABASE_URL = await databaseUrl();
    db = await openDb();
  });
  beforeEach(async () => {
    // No model has a foreign key: any order empties them.
    for (const model of Object.values(Prisma.ModelName)) {
      const delegate = model.charAt(0).toLowerCase() + model.slice(1);
      await (db as unknown as Record<string, { deleteMany(): Promise<unknown> }>)[delegate]!.deleteMany();
    }
  });
  afterAll(async () => {
    await db?.$disconnect();
    const url = process.env.DATABASE_URL ?? "";
    if (url.startsWith("file:"))
      for (const suffix of ["", "-wal", "-shm", "-commands"])
        fs.rmSync(url.slice("file:".length) + suffix, { force: true });
  });
  return () => {
    if (!db) throw new Error("queryStore: the database opens in beforeAll");
    return db;
  };
}

/** What an actor with the controller's full power (local mode, the admin token) reads: every row. */
export function fullScope(db: Database, actor: Actor = { name: "local", via: "local" }): ReadScope {
  return scopeOf(db, actor, { kind: "full" });
}

/** What `actor` reads, from the answers stored for them, as the dashboard builds it per request. */
export function scopeOfActor(db: Database, actor: Actor): Promise<ReadScope> {
  return readScope(db, actor);
}

/** Answers to a person's view questions (lib/access.ts VIEWS), as their controller stores them. */
export function viewAnswers(views: Partial<Record<View, "all" | string[]>>): Answer[] {
  return Object.entries(views).flatMap(([view, namespaces]) =>
    (namespaces === "all" ? [""] : namespaces).map((ns) => ({
      access: viewQuestion(view as View, ns),
      allowed: true,
      reason: "",
    })),
  );
}

/** A new database of the run's store: on SQLite a copy of the run's template (./store-setup.ts). */
async function databaseUrl(): Promise<string> {
  const template = process.env[SQLITE_TEMPLATE_ENV];
  if (!template || testStoreProvider() !== "sqlite") return createTestDatabaseUrl("queries");
  const file = path.join(path.dirname(template), `queries-${randomBytes(4).toString("hex")}.db`);
  fs.copyFileSync(template, file);
  return `file:${file}`;
}

/** Registers a cluster as its controller does (id = kube-system's UID, a display name). */
export async function addCluster(db: Database, id: string, name: string): Promise<void> {
  await registerCluster(db, {
    clusterId: id,
    name,
    kubernetesVersion: "v1.34.4",
    server: `https://${name}.example:6443`,
  });
}

/** A controller's heartbeat row as controller/store/heartbeat.ts writes it. */
export async function addHeartbeat(
  db: Database,
  clusterId: string,
  controllerId: string,
  beat: {
    isLeader?: boolean;
    lastSeenAt?: Date;
    stoppedAt?: Date | null;
    authorizationMode?: "none" | "kubernetes";
  } = {},
): Promise<void> {
  const lastSeenAt = beat.lastSeenAt ?? new Date();
  await db.controllerHeartbeat.create({
    data: {
      clusterId,
      controllerId,
      hostname: controllerId,
      pid: 1,
      version: "test",
      isLeader: beat.isLeader ?? false,
      kubernetesVersion: "v1.34.4",
      apiServer: "https://api.example:6443",
      startedAt: new Date(lastSeenAt.getTime() - 60_000),
      lastSeenAt,
      stoppedAt: beat.stoppedAt ?? null,
      authorizationMode: beat.authorizationMode ?? null,
    },
  });
}

/** A rollout as the controller observes it: `ready` of `desired` agents, `failing` pods crash-looping. */
export function rollout(ready: number, desired: number, failing = 0): AgentRollout {
  const workload = (kind: "DaemonSet" | "Deployment", count: number): WorkloadRollout => ({
    kind,
    name: kind === "DaemonSet" ? "datadog-agent" : "datadog-cluster-agent",
    exists: true,
    desired: count,
    updated: count,
    ready: kind === "DaemonSet" ? ready : count,
    available: kind === "DaemonSet" ? ready : count,
    unavailable: kind === "DaemonSet" ? desired - ready : 0,
    generation: 1,
    observedGeneration: 1,
    templateHash: "abc",
    revisions: [{ hash: "abc", revision: "datadog-abc", pods: count, ready: count, current: true }],
  });
  return {
    daemonSet: workload("DaemonSet", desired),
    deployment: workload("Deployment", 1),
    problems: Array.from({ length: failing }, (_, i) => ({
      name: `datadog-agent-${i}`,
      workload: "DaemonSet" as const,
      node: `kwok-${i}`,
      revisionHash: "abc",
      reason: "CrashLoopBackOff",
      message: "",
      lastTermination: null,
      restarts: 3,
      createdAt: "2026-12-04T10:00:00Z",
      unavailableSince: "2026-12-04T10:00:00Z",
    })),
    coverage: { nodes: desired, covered: ready, uncovered: [] },
    candidate: null,
  };
}

/** A DatadogAgent as the controller's reconcile hands it to the read model. */
export function agentSnapshot(key: string, extra: Partial<AgentSnapshot> = {}): AgentSnapshot {
  const [namespace, name] = key.split("/") as [string, string];
  return {
    key,
    namespace,
    name,
    uid: `uid-${namespace}-${name}`,
    generation: 1,
    spec: { global: { site: "datadoghq.com" } },
    status: { currentRevision: `${name}-abc` },
    renderError: null,
    ...extra,
  };
}
