// Server-Sent Events: tells the browser which topics changed (by change-feed id), so it
// refetches only those queries. Resumes from Last-Event-ID after a reconnect: an event's id is
// the feed's resume point (every change up to it was sent), so a resumed stream may repeat a
// change, never miss one. A stream opened with an admin-token session ends with a
// "session-ended" event as soon as that session does (sign-out, expiry, another admin token):
// it re-checks its session whenever one ends. A person's stream carries topics only: a change's
// key names an object of some cluster, which the refetched queries filter by their scope
// (server/scope/). Streams are limited per session or person and in total, and a client that
// stops reading is dropped (server/live/).
import { sessionById } from "@/server/sessions";
import { TOPICS } from "@/lib/topics";
import { changeFeed, type ChangeRow } from "@/server/live/change-feed";
import { sseChannel } from "@/server/live/sse-channel";
import { StreamLimits } from "@/server/live/stream-limits";
import { currentSession } from "@/server/auth";
import { webConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { withScope } from "@/server/scope/request";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;
/** What a client may leave unread before it is dropped: a few hundred frames. */
const MAX_BUFFERED_BYTES = 256 * 1024;

// One per server process (kept across dev reloads).
const globalForLimits = globalThis as unknown as { fleetdeckStreamLimits?: StreamLimits };
const limits = (globalForLimits.fleetdeckStreamLimits ??= new StreamLimits());

function frame(rows: ChangeRow[], id: number, withKeys: boolean): string {
  const changes = rows.map((r) => (withKeys ? { topic: r.topic, key: r.key } : { topic: r.topic }));
  return `id: ${id}\nevent: changes\ndata: ${JSON.stringify(changes)}\n\n`;
}

/** Whether the stream's session (if it has one) is still live. */
async function stillSignedIn(sessionId: string | undefined): Promise<boolean> {
  const token = webConfig().FLEETDECK_ADMIN_TOKEN;
  if (!sessionId || !token) return true;
  return (await sessionById(await getDb(), sessionId, token)) !== null;
}

export async function GET(request: Request) {
  return withScope(async (scope) => {
    const { actor } = scope;
    const session = actor.via === "admin-token" ? await currentSession() : null;
    if (actor.via === "admin-token" && !session) {
      return Response.json({ error: "sign in first: the session has ended" }, { status: 401 });
    }
    const slot = limits.acquire(session ? `session:${session.id}` : `${actor.via}:${actor.name}`);
    if (!slot.ok) return Response.json({ error: slot.error }, { status: 429 });
    const withKeys = scope.grants.kind === "full";
    const url = new URL(request.url);
    const resumeFrom = request.headers.get("last-event-id") ?? url.searchParams.get("since");
    const resumeId = resumeFrom !== null && /^\d+$/.test(resumeFrom) ? Number(resumeFrom) : undefined;

    let cleanup = () => {};
    const channel = sseChannel({
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      onEnd: () => {
        cleanup();
        slot.release();
      },
    });
    const { send } = channel;
    const endSession = () => {
      send(
        `event: session-ended\ndata: ${JSON.stringify({ error: "the session has ended: sign in again" })}\n\n`,
      );
      channel.close();
    };
    void (async () => {
      let cursor = resumeId ?? (await changeFeed.latestId());
      send(`retry: 1000\nid: ${cursor}\nevent: hello\ndata: ${JSON.stringify({ cursor })}\n\n`);
      if (resumeId !== undefined) {
        const missed = await changeFeed.since(resumeId);
        if (missed.truncated) {
          // Too much happened while away: the browser refetches everything instead.
          cursor = await changeFeed.latestId();
          send(`id: ${cursor}\nevent: reset\ndata: {}\n\n`);
        } else {
          const rows = missed.rows.filter((r) => r.topic !== TOPICS.sessions);
          if (rows.length > 0) send(frame(rows, missed.rows[missed.rows.length - 1]!.id, withKeys));
        }
      }
      // The feed delivers each change once, also one that committed after a higher id (a
      // change this stream's start may have missed): sent as it comes, a repeat at worst.
      const unsubscribe = await changeFeed.subscribe((rows, resumePoint) => {
        if (rows.some((r) => r.topic === TOPICS.sessions)) {
          void stillSignedIn(session?.id).then((live) => live || endSession(), endSession);
        }
        const fresh = rows.filter((r) => r.topic !== TOPICS.sessions);
        if (fresh.length > 0) send(frame(fresh, resumePoint, withKeys));
      });
      const heartbeat = setInterval(() => send(`event: heartbeat\ndata: ${Date.now()}\n\n`), HEARTBEAT_MS);
      // The session's own end (12 h at most: well within a timer's range).
      const expiry = session ? setTimeout(endSession, session.expiresAt.getTime() - Date.now()) : undefined;
      cleanup = () => {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        unsubscribe();
      };
      // Ended while subscribing (the client left, or was dropped): undo it now.
      if (!channel.isOpen()) cleanup();
    })().catch(() => channel.close());
    request.signal.addEventListener("abort", () => channel.close());
    return new Response(channel.stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  });
}
