// Server-side sessions of the admin-token sign-in. The browser's cookie holds 32 random bytes;
// the Session row holds their SHA-256, so a copy of the database opens no session. A session
// ends when its row is gone (sign-out), when it expires, or when the dashboard runs with another
// admin token (the row's tokenKey, an HMAC of its id under the token, no longer matches): every
// request and every live stream checks the row, not the cookie alone.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
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

/**
 * Binds a session to the admin token it was opened with: an HMAC of the session's own id under
 * the token. Rows differ from each other, so a row read from the database (a backup, a stolen
 * login) forges no other session, and nothing stored derives the token or a key for it.
 */
export function sessionTokenKey(adminToken: string, sessionId: string): string {
  return createHmac("sha256", adminToken).update(`fleetdeck-session-v3\0${sessionId}`).digest("hex");
}

/** Whether a row was opened with this admin token (rows of before v3 never were). */
function ofToken(row: { id: string; tokenKey: string }, adminToken: string): boolean {
  const stored = Buffer.from(row.tokenKey);
  const expected = Buffer.from(sessionTokenKey(adminToken, row.id));
  return stored.length === expected.length && timingSafeEqual(stored, expected);
}

/** Opens a session; returns the cookie's value (shown to nobody else, stored nowhere). */
export async function openSession(
  db: Database,
  input: { actor: string; adminToken: string; now?: number },
): Promise<{ value: string; expiresAt: Date }> {
  const now = input.now ?? Date.now();
  const value = randomBytes(32).toString("base64url");
  const id = sha256(value);
  const expiresAt = new Date(now + SESSION_TTL_MS);
  await withRetry(() =>
    db.$transaction(async (tx) => {
      // A write first: on SQLite it waits for another process's write lock (a read first
      // would fail at once when it upgrades).
      await tx.session.create({
        data: { id, actor: input.actor, tokenKey: sessionTokenKey(input.adminToken, id), expiresAt },
      });
      // Expired sessions and those of an earlier admin token are gone for good.
      const rows = await tx.session.findMany({ select: { id: true, tokenKey: true, expiresAt: true } });
      const gone = rows.filter((r) => r.expiresAt.getTime() < now || !ofToken(r, input.adminToken));
      if (gone.length > 0) await tx.session.deleteMany({ where: { id: { in: gone.map((r) => r.id) } } });
    }),
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
  if (!row || !ofToken(row, adminToken) || row.expiresAt.getTime() <= now) return null;
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
