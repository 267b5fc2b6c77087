// Read authorization, enforced in one place: every query of server/queries/ takes the actor's
// read scope and reads through it. Each test runs every exported query against a store holding
// rows of two clusters in every model (test/scope-fixture.ts), each row marked with its
// cluster's word, and looks for the words in what the queries answer.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { commandAccess, encodeSubject } from "@/lib/access";
import { AccessReadModel, type Answer } from "@/controller/access/read-model";
import { fullScope, queryStore, scopeOfActor, viewAnswers } from "@/test/query-store";
import { clusterOf, seedTwoClusters, WORDS, type SeededIds, type Word } from "@/test/scope-fixture";
import type { Actor } from "../actor";
import { accessStatus, permissions } from "../queries/access";
import { agentClusterOf } from "../queries/agent-ref";
import { clustersWithAgent, getAgent, listAgents } from "../queries/agents";
import { allAudit, auditFacets, listAudit } from "../queries/audit";
import { autoscalingOverview } from "../queries/autoscaling";
import { clusterFilterOf, clusterNames, listClusters, resolveCluster } from "../queries/clusters";
import { getCommand } from "../queries/commands";
import { listControllers } from "../queries/controllers";
import { listExperiments } from "../queries/experiments";
import { fleetOverview } from "../queries/fleet";
import { getSendDetail, listForwarders, listSends } from "../queries/metadata";
import { sendCharts } from "../queries/metadata-charts";
import { listRevisions } from "../queries/revisions";
import { spotOverview } from "../queries/spot";
import { ReadScopeError, type ReadScope } from "./read-scope";

const db = queryStore();
const QUERIES = path.resolve(import.meta.dirname, "../queries");

/** Exports of server/queries/ that read nothing (pure helpers): the only ones without a scope. */
const HELPERS: Record<string, string[]> = {
  "clusters.ts": ["unknownCluster"],
  "dto.ts": ["toDto"],
  "text-filter.ts": ["textMatches", "textCondition", "keysetPage"],
};

type Ids = Record<Word, SeededIds>;
type Call = (scope: ReadScope, ids: Ids) => Promise<unknown>;
const onEach = <T>(run: (word: Word) => Promise<T>) => Promise.all(WORDS.map(run));
const agentOf = (word: Word) => `${clusterOf(word).ns}/web`;
const request = (query: string) => new Request(`http://127.0.0.1:3000/api/x${query}`);

/**
 * Every query of server/queries/, by file: what it answers for a scope, called on each
 * cluster's rows wherever it takes a cluster, an object's name or an id (what a page by URL does).
 */
const CALLS: Record<string, Record<string, Call>> = {
  "access.ts": {
    permissions: (s) =>
      permissions(
        s,
        WORDS.map((w) => ({
          clusterId: clusterOf(w).id,
          ...commandAccess("restore-revision", agentOf(w), {})!,
        })),
      ),
    accessStatus: (s) => accessStatus(s),
  },
  "agent-ref.ts": {
    agentClusterOf: (s) =>
      onEach(async (w) => [
        await agentClusterOf(s, request(""), agentOf(w)),
        await agentClusterOf(s, request(`?cluster=${clusterOf(w).name}`), agentOf(w)),
      ]),
  },
  "agents.ts": {
    listAgents: (s) => listAgents(s),
    clustersWithAgent: (s) => onEach((w) => clustersWithAgent(s, agentOf(w))),
    getAgent: (s) => onEach((w) => getAgent(s, clusterOf(w).id, agentOf(w))),
  },
  "audit.ts": {
    listAudit: (s) => listAudit(s, {}),
    allAudit: async (s) => {
      const rows = [];
      for await (const row of allAudit(s, {})) rows.push(row);
      return rows;
    },
    auditFacets: (s) => auditFacets(s),
  },
  "autoscaling.ts": { autoscalingOverview: (s) => autoscalingOverview(s) },
  "clusters.ts": {
    listClusters: (s) => listClusters(s),
    clusterNames: (s) => clusterNames(s),
    resolveCluster: (s) =>
      onEach(async (w) => [
        await resolveCluster(s, clusterOf(w).name),
        await resolveCluster(s, clusterOf(w).id),
      ]),
    clusterFilterOf: (s) => onEach((w) => clusterFilterOf(s, request(`?cluster=${clusterOf(w).id}`))),
  },
  "commands.ts": {
    getCommand: (s, ids) => onEach((w) => Promise.all(Object.values(ids[w]).map((id) => getCommand(s, id)))),
  },
  "controllers.ts": { listControllers: (s) => listControllers(s) },
  "experiments.ts": { listExperiments: (s) => listExperiments(s) },
  "fleet.ts": { fleetOverview: (s) => fleetOverview(s) },
  "metadata.ts": {
    listSends: (s) => listSends(s, {}),
    getSendDetail: (s, ids) =>
      onEach((w) => Promise.all([ids[w].crdSend, ids[w].helmSend].map((id) => getSendDetail(s, id)))),
    listForwarders: (s) => listForwarders(s),
  },
  "metadata-charts.ts": {
    // Counts only: the attempts counted, which the words cannot show.
    sendCharts: async (s) => ({ attempts: sumAttempts(await sendCharts(s)) }),
  },
  "revisions.ts": { listRevisions: (s) => onEach((w) => listRevisions(s, clusterOf(w).id, agentOf(w))) },
  "spot.ts": { spotOverview: (s) => spotOverview(s) },
};

const sumAttempts = (buckets: { counts: Record<string, number> }[]) =>
  buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);

/** An answer as JSON: a Response by its status (its error may echo the request), a Map as entries. */
function shown(value: unknown): unknown {
  if (value instanceof Response) return { status: value.status };
  if (value instanceof Map) return [...value].map(shown);
  if (Array.isArray(value)) return value.map(shown);
  return value;
}

/** Every query's answer for `scope`, as text, by "file export". */
async function answers(scope: ReadScope, ids: Ids): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [file, calls] of Object.entries(CALLS))
    for (const [name, call] of Object.entries(calls))
      out[`${file} ${name}`] = JSON.stringify(shown(await call(scope, ids)));
  return out;
}

/** The queries whose answer holds the word of `cluster`. */
const showing = (all: Record<string, string>, word: string) =>
  Object.entries(all)
    .filter(([, text]) => text.includes(word))
    .map(([query]) => query);

const alice: Actor = { name: "alice", via: "proxy", subject: { user: "alice", groups: ["team-a"] } };

async function answer(word: Word, subject: Actor, answers: Answer[]) {
  await new AccessReadModel(db(), clusterOf(word).id).write(subject.subject!, answers);
}

describe("the read scope", () => {
  it("is taken first by every query of server/queries/ (the others are pure helpers), each listed here", async () => {
    const files = fs.readdirSync(QUERIES).filter((f) => f.endsWith(".ts") && !f.includes(".test."));
    expect(files.sort()).toEqual([...new Set([...Object.keys(CALLS), ...Object.keys(HELPERS)])].sort());
    for (const file of files) {
      const mod = (await import(path.join(QUERIES, file))) as Record<string, unknown>;
      const functions = Object.entries(mod).filter(([, v]) => typeof v === "function");
      for (const [name, fn] of functions) {
        if (HELPERS[file]?.includes(name)) continue;
        expect(Object.keys(CALLS[file] ?? {}), `${file} exports ${name}: add it to CALLS`).toContain(name);
        expect(String(fn), `${file} ${name} must take the read scope first`).toMatch(
          /^async function\*?\s*\w*\s*\(\s*scope\b/,
        );
      }
    }
  });

  it("shows a person whose clusters answered nothing allowed nothing at all, on every query", async () => {
    const ids = await seedTwoClusters(db());
    for (const word of WORDS) await answer(word, alice, []);
    const all = await answers(await scopeOfActor(db(), alice), ids);
    expect(showing(all, "alpha")).toEqual([]);
    expect(showing(all, "bravo")).toEqual([]);
    expect(all["metadata-charts.ts sendCharts"]).toBe(JSON.stringify({ attempts: 0 }));
  });

  it("shows a person not answered yet nothing, and says which clusters are still checking", async () => {
    const ids = await seedTwoClusters(db());
    const dana: Actor = { name: "dana", via: "proxy", subject: { user: "dana", groups: [] } };
    const all = await answers(await scopeOfActor(db(), dana), ids);
    expect(showing(all, "bravo")).toEqual(["access.ts accessStatus"]);
    expect(JSON.parse(all["access.ts accessStatus"]!)).toEqual({
      checking: WORDS.map((w) => ({ id: clusterOf(w).id, name: clusterOf(w).name })),
    });
    // The person is noted, so every cluster's controller answers for them.
    expect(await db().accessSubject.count({ where: { key: encodeSubject(dana.subject!) } })).toBe(1);
  });

  it("shows alice, allowed in one namespace of alpha, nothing of bravo on any query, and her namespace's rows", async () => {
    const ids = await seedTwoClusters(db());
    const { ns } = clusterOf("alpha");
    await answer("alpha", alice, viewAnswers({ agents: [ns], helm: [ns], spot: [ns], autoscalers: [ns] }));
    // May roll back bravo's agent, but not see it: a button's answer grants no view.
    await answer("bravo", alice, [
      { access: commandAccess("restore-revision", agentOf("bravo"), {})!, allowed: true, reason: "" },
    ]);
    const all = await answers(await scopeOfActor(db(), alice), ids);
    expect(showing(all, "bravo")).toEqual([]);
    expect(showing(all, "alpha")).toEqual(
      Object.keys(all).filter(
        (q) =>
          // Nothing of alpha to show: a helper, buttons, the clusters checking, charts (counts).
          !["access.ts permissions", "access.ts accessStatus", "metadata-charts.ts sendCharts"].includes(q),
      ),
    );
    const scope = await scopeOfActor(db(), alice);
    expect((await listAgents(scope)).map((a) => `${a.clusterName} ${a.key}`)).toEqual([
      `cluster-alpha ${ns}/web`,
    ]);
    expect((await listSends(scope, {})).rows.map((r) => r.object).sort()).toEqual(
      [`${ns}/datadog`, `${ns}/datadog`, `${ns}/web`, `${ns}/web`].sort(),
    );
    expect((await getCommand(scope, ids.alpha.spotCommand))?.target).toBe(`${ns}/shop`);
    expect(await getCommand(scope, ids.bravo.agentCommand)).toBeNull();
    expect(await getAgent(scope, clusterOf("bravo").id, agentOf("bravo"))).toBeNull();
    // The dashboard's own rows (sign-ins and their client addresses) are for full power only.
    expect((await listAudit(scope, {})).rows.map((r) => r.action)).not.toContain("auth.break-glass");
    // Profiles are cluster-scoped: a namespace grants none.
    expect((await autoscalingOverview(scope)).profiles).toEqual([]);
    expect((await fleetOverview(scope)).clusters.map((c) => c.name)).toEqual(["cluster-alpha"]);
    expect(sumAttempts(await sendCharts(scope))).toBe(4);
  });

  it("shows Helm values only where the person may get Secrets", async () => {
    const ids = await seedTwoClusters(db());
    await answer("alpha", alice, viewAnswers({ agents: [clusterOf("alpha").ns] }));
    await answer("bravo", alice, viewAnswers({ agents: "all", helm: "all" }));
    const scope = await scopeOfActor(db(), alice);
    const sends = (await listSends(scope, {})).rows.map((r) => `${r.clusterName} ${r.forwarder}`);
    expect([...new Set(sends)].sort()).toEqual([
      "cluster-alpha crd",
      "cluster-bravo crd",
      "cluster-bravo helm",
    ]);
    expect(await getSendDetail(scope, ids.alpha.helmSend)).toBeNull();
    expect((await getSendDetail(scope, ids.bravo.helmSend))?.payload).toContain('"values":"after"');
    expect((await getSendDetail(scope, ids.alpha.crdSend))?.send.object).toBe(agentOf("alpha"));
  });

  it("shows everything of a cluster whose controllers run without per-user authorization", async () => {
    const ids = await seedTwoClusters(db());
    await answer("alpha", alice, []);
    await db().controllerHeartbeat.updateMany({
      where: { clusterId: clusterOf("bravo").id },
      data: { authorizationMode: "none" },
    });
    const all = await answers(await scopeOfActor(db(), alice), ids);
    expect(showing(all, "alpha")).toEqual([]);
    expect(showing(all, "bravo")).toContain("agents.ts listAgents");
    expect(showing(all, "bravo")).toContain("metadata.ts getSendDetail");
  });

  it("lets the API token read the commands it posted (and the clusters' names and controllers), nothing else", async () => {
    const ids = await seedTwoClusters(db());
    const token: Actor = {
      name: "fleet-automation",
      via: "api-token",
      subject: { user: "system:serviceaccount:fleetdeck-system:fleet-automation", groups: [] },
    };
    const scope = await scopeOfActor(db(), token);
    expect((await getCommand(scope, ids.bravo.apiTokenCommand))?.actor).toBe("fleet-automation");
    expect(await getCommand(scope, ids.bravo.agentCommand)).toBeNull();
    expect((await listClusters(scope)).map((c) => c.name)).toEqual(["cluster-alpha", "cluster-bravo"]);
    const all = await answers(scope, ids);
    expect(showing(all, "bravo").sort()).toEqual(
      [
        "agent-ref.ts agentClusterOf",
        "fleet.ts fleetOverview",
        "clusters.ts listClusters",
        "clusters.ts clusterNames",
        "clusters.ts resolveCluster",
        "clusters.ts clusterFilterOf",
        "controllers.ts listControllers",
        "commands.ts getCommand",
      ].sort(),
    );
  });

  it("shows the controller's full power (local mode, the admin token) everything", async () => {
    const ids = await seedTwoClusters(db());
    const all = await answers(fullScope(db(), { name: "admin", via: "admin-token" }), ids);
    const everything = Object.keys(all).filter(
      (q) =>
        !["access.ts permissions", "access.ts accessStatus", "metadata-charts.ts sendCharts"].includes(q),
    );
    expect(showing(all, "bravo")).toEqual(everything);
    expect((await listAudit(fullScope(db()), {})).rows.map((r) => r.action)).toContain("auth.break-glass");
  });

  it("only reads: a write or raw SQL through a person's scope is refused", async () => {
    await seedTwoClusters(db());
    await answer("alpha", alice, viewAnswers({ agents: "all" }));
    const scope = await scopeOfActor(db(), alice);
    await expect(scope.db.agent.deleteMany({})).rejects.toThrow(ReadScopeError);
    await expect(scope.db.$queryRawUnsafe('SELECT * FROM "Agent"')).rejects.toThrow(ReadScopeError);
    expect(await db().agent.count()).toBe(2);
  });
});
