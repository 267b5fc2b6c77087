import "server-only";
import { encodeSubject, qualifiedResource, type Permission, type ResourceAccess } from "@/lib/access";
import type { Actor } from "@/server/actor";
import { withRetry } from "@/lib/db/open";
import { getDb } from "../db";

const ALLOWED: Permission = { state: "allowed", reason: "" };
/** How often a viewer's "seen" time is written (the controller answers for people seen in a day). */
const SEEN_EVERY_MS = 60_000;
const globalForSeen = globalThis as unknown as { fleetdeckSubjectsSeen?: Map<string, number> };
const seen = (globalForSeen.fleetdeckSubjectsSeen ??= new Map());

/** Tells the controller this person uses the dashboard, so it keeps their answers current. */
async function noteSeen(key: string): Promise<void> {
  const now = Date.now();
  if (now - (seen.get(key) ?? 0) < SEEN_EVERY_MS) return;
  seen.set(key, now);
  const db = await getDb();
  await withRetry(() =>
    db.accessSubject.upsert({
      where: { key },
      create: { key, lastSeenAt: new Date(now) },
      update: { lastSeenAt: new Date(now) },
    }),
  );
}

/** A question about an object of one cluster: each cluster's RBAC answers for its own objects. */
export type ClusterQuestion = ResourceAccess & { clusterId: string };

/**
 * The viewer's permission for each question, in order, as that cluster's controller last asked
 * its API server. Actors with the controller's power (loopback, the admin token) are "allowed".
 */
export async function permissions(viewer: Actor, questions: ClusterQuestion[]): Promise<Permission[]> {
  if (!viewer.subject) return questions.map(() => ALLOWED);
  const key = encodeSubject(viewer.subject);
  await noteSeen(key);
  const db = await getDb();
  const rows = await db.accessAnswer.findMany({
    where: {
      subject: key,
      clusterId: { in: [...new Set(questions.map((q) => q.clusterId))] },
      namespace: { in: [...new Set(questions.map((q) => q.namespace))] },
    },
  });
  return questions.map((q) => {
    const row = rows.find(
      (r) =>
        r.clusterId === q.clusterId &&
        r.verb === q.verb &&
        r.resource === qualifiedResource(q) &&
        r.namespace === q.namespace &&
        r.name === q.name,
    );
    if (!row) return { state: "unchecked", reason: "" };
    return row.allowed ? ALLOWED : { state: "denied", reason: row.reason };
  });
}
