// The read side of per-user authorization, in one place: an actor's visibility scope, built per
// request from the answers its clusters' controllers stored (./grants.ts), and the store as that
// actor may read it. Every query of server/queries/ takes the scope and reads through its `db`,
// a Prisma client whose every read of a model is ANDed with that model's rule (./rules.ts);
// anything but a read, and raw SQL, is refused. Actors with the controller's full power (local
// mode, the admin token) read the store as it is.
import "server-only";
import { encodeSubject } from "@/lib/access";
import { deriveClient, withRetry, type Database } from "@/lib/db/open";
import { clusterAuthorization } from "@/components/lib/attention";
import { controllerState } from "@/components/lib/controller-status";
import type { Actor } from "@/server/actor";
import { checkingClusters, grantsWithoutAnswers, personGrants, visibleClusters, type Grants } from "./grants";
import { MODEL_RULES, type Where } from "./rules";

export class ReadScopeError extends Error {
  override name = "ReadScopeError";
}

export interface ReadScope {
  readonly actor: Actor;
  readonly grants: Grants;
  /** The store as this actor may read it. */
  readonly db: Database;
  /** The clusters whose answers for this person are not known yet (they show nothing meanwhile). */
  readonly checking: { id: string; name: string }[];
  /**
   * For raw SQL (aggregates the query API cannot express): the store unfiltered and the clusters
   * whose cluster-wide figures the actor may see, null for every cluster. `run` must filter by them.
   */
  clusterAggregate<T>(run: (db: Database, clusterIds: string[] | null) => Promise<T>): Promise<T>;
}

const READS = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "count",
  "aggregate",
  "groupBy",
]);

/** `where` with `rule` added to its AND (a unique where keeps its unique fields on top). */
export function restrict(where: unknown, rule: Where): Where {
  const base = (where ?? {}) as Where;
  const and = base.AND === undefined ? [] : Array.isArray(base.AND) ? base.AND : [base.AND];
  return { ...base, AND: [...and, rule] };
}

/** The store of `db` filtered by `grants` (which must not be full power's). */
function scopedClient(db: Database, grants: Exclude<Grants, { kind: "full" }>): Database {
  const rules = new Map(Object.entries(MODEL_RULES).map(([model, rule]) => [model, rule(grants)]));
  const scoped = db.$extends({
    name: "read-scope",
    query: {
      async $allOperations({ model, operation, args, query }) {
        if (!model) throw new ReadScopeError(`${operation} cannot be scoped: use clusterAggregate`);
        const rule = rules.get(model);
        if (!rule) throw new ReadScopeError(`${model} has no read rule (server/scope/rules.ts)`);
        if (!READS.has(operation)) throw new ReadScopeError(`${model}.${operation}: a read scope only reads`);
        const { where } = args as { where?: unknown };
        return query({ ...(args as object), where: restrict(where, rule) } as typeof args);
      },
    },
  });
  return deriveClient(db, scoped as unknown as Database);
}

/** Controllers silent for longer say nothing of their cluster's authorization any more. */
const MODE_FORGOTTEN_AFTER_MS = 24 * 3600_000;

/** Each cluster's per-user authorization (FLEETDECK_AUTHZ), from its controllers' heartbeats. */
async function clusterModes(db: Database, now: number) {
  const beats = await db.controllerHeartbeat.findMany({
    where: { lastSeenAt: { gte: new Date(now - MODE_FORGOTTEN_AFTER_MS) } },
    select: { clusterId: true, authorizationMode: true, lastSeenAt: true, stoppedAt: true },
    orderBy: { lastSeenAt: "desc" },
  });
  const modes = new Map<string, "none" | "kubernetes" | null>();
  for (const clusterId of new Set(beats.map((b) => b.clusterId))) {
    const own = beats.filter((b) => b.clusterId === clusterId);
    const running = own.filter((b) => controllerState(b, now) === "running");
    // None running: what the last one to beat said.
    modes.set(
      clusterId,
      clusterAuthorization((running.length ? running : own.slice(0, 1)).map((b) => b.authorizationMode)),
    );
  }
  return modes;
}

/** How often a person's "seen" time is written (their controllers answer for people seen in a day). */
const SEEN_EVERY_MS = 60_000;
const globalForSeen = globalThis as unknown as { fleetdeckSubjectsSeen?: Map<string, number> };
const seen = (globalForSeen.fleetdeckSubjectsSeen ??= new Map());

/** Tells the controllers this person uses the dashboard, so they answer for them and keep it current. */
async function noteSeen(db: Database, key: string, now: number): Promise<void> {
  if (now - (seen.get(key) ?? 0) < SEEN_EVERY_MS) return;
  seen.set(key, now);
  await withRetry(() =>
    db.accessSubject.upsert({
      where: { key },
      create: { key, lastSeenAt: new Date(now) },
      update: { lastSeenAt: new Date(now) },
    }),
  );
}

/** What `actor` may read, from the store `db`. */
export async function readScope(db: Database, actor: Actor, now = Date.now()): Promise<ReadScope> {
  let grants = grantsWithoutAnswers(actor.via);
  let names = new Map<string, string>();
  if (!grants) {
    if (!actor.subject) throw new ReadScopeError(`${actor.name} (${actor.via}) has no Kubernetes identity`);
    const subject = encodeSubject(actor.subject);
    await noteSeen(db, subject, now);
    const [clusters, modes, checks, answers] = await Promise.all([
      db.cluster.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
      clusterModes(db, now),
      db.accessCheck.findMany({ where: { subject }, select: { clusterId: true } }),
      db.accessAnswer.findMany({
        where: { subject, name: "" },
        select: { clusterId: true, verb: true, resource: true, namespace: true, name: true, allowed: true },
      }),
    ]);
    grants = personGrants(subject, {
      clusterIds: clusters.map((c) => c.id),
      modes,
      answered: new Set(checks.map((c) => c.clusterId)),
      answers,
    });
    names = new Map(clusters.map((c) => [c.id, c.name]));
  }
  return scopeOf(db, actor, grants, names);
}

/** The scope of `grants`, already known (tests build them directly). */
export function scopeOf(
  db: Database,
  actor: Actor,
  grants: Grants,
  names: Map<string, string> = new Map(),
): ReadScope {
  const visible = visibleClusters(grants);
  // Only people see cluster-wide figures (the API token reads the status of its commands only).
  const aggregated = grants.kind === "full" ? null : grants.kind === "machine" ? [] : visible;
  return {
    actor,
    grants,
    db: grants.kind === "full" ? db : scopedClient(db, grants),
    checking: checkingClusters(grants).map((id) => ({ id, name: names.get(id) ?? id })),
    clusterAggregate: (run) => run(db, aggregated === "all" ? null : aggregated),
  };
}
