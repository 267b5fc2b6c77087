// Server-side sessions of the admin-token sign-in. The browser's cookie holds 32 random bytes;
// the Session row holds their SHA-256, so a copy of the database opens no session. A session
// ends when its row is gone (sign-out), when it expires, or when the dashboard runs with another
// admin token (the row's tokenKey no longer matches): every request and every live stream
// checks the row, not the cookie alone.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { TOPICS } from "@/lib/topics";
import { withRetry, type Database } from "@/lib/db/open";

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface LiveSession {
  /** The row's id (the cookie value's hash): what a live stream re-checks. */
  id: string;
  actor: string;
  expiresAt: Date;
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** Names the admin token a session belongs to without storing anything it could be derived from. */
export function sessionTokenKey(adminToken: string): string {
  return createHmac("sha256", adminToken).update("fleetdeck-session-v2").digest("hex").slice(0, 32);
}

/** Opens a session; returns the cookie's value (shown to nobody else, stored nowhere). */
export async function openSession(
  db: Database,
  input: { actor: string; adminToken: string; now?: number },
): Promise<{ value: string; expiresAt: Date }> {
  const now = input.now ?? Date.now();
  const value = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now + SESSION_TTL_MS);
  await withRetry(() =>
    db.$transaction([
      // Expired sessions and those of an earlier admin token are gone for good.
      db.session.deleteMany({
        where: {
          OR: [
            { expiresAt: { lt: new Date(now) } },
            { NOT: { tokenKey: sessionTokenKey(input.adminToken) } },
          ],
        },
      }),
      db.session.create({
        data: {
          id: sha256(value),
          actor: input.actor,
          tokenKey: sessionTokenKey(input.adminToken),
          expiresAt,
        },
      }),
    ]),
  );
  return { value, expiresAt };
}

/** The live session a cookie names, or null (unknown, signed out, expired, another token's). */
export async function findSession(
  db: Database,
  value: string,
  adminToken: string,
  now = Date.now(),
): Promise<LiveSession | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
  return sessionById(db, sha256(value), adminToken, now);
}

/** The same check by row id, for a live stream that keeps only the id. */
export async function sessionById(
  db: Database,
  id: string,
  adminToken: string,
  now = Date.now(),
): Promise<LiveSession | null> {
  const row = await db.session.findUnique({ where: { id } });
  if (!row || row.tokenKey !== sessionTokenKey(adminToken) || row.expiresAt.getTime() <= now) return null;
  return { id: row.id, actor: row.actor, expiresAt: row.expiresAt };
}

/**
 * Ends the session a cookie names (sign-out) and tells every live stream, through the change
 * feed, to check its own session again. Returns the session's actor, or null if none was live.
 */
export async function endSession(db: Database, value: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
  const id = sha256(value);
  return withRetry(() =>
    db.$transaction(async (tx) => {
      const row = await tx.session.findUnique({ where: { id }, select: { actor: true } });
      if (!row) return null;
      await tx.session.delete({ where: { id } });
      await tx.change.create({ data: { topic: TOPICS.sessions } });
      return row.actor;
    }),
  );
}
