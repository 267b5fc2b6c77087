// Server-Sent Events: tells the browser which topics changed (by change-feed id), so it
// refetches only those queries. Resumes from Last-Event-ID after a reconnect: an event's id is
// the feed's resume point (every change up to it was sent), so a resumed stream may repeat a
// change, never miss one. A stream opened with an admin-token session ends with a
// "session-ended" event as soon as that session does (sign-out, expiry, another admin token):
// it re-checks its session whenever one ends.
import { sessionById } from "@/server/sessions";
import { TOPICS } from "@/lib/topics";
import { changeFeed, type ChangeRow } from "@/server/live/change-feed";
import { currentSession, withActor } from "@/server/auth";
import { webConfig } from "@/server/config";
import { getDb } from "@/server/db";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

function frame(rows: ChangeRow[], id: number): string {
  return `id: ${id}\nevent: changes\ndata: ${JSON.stringify(rows.map((r) => ({ topic: r.topic, key: r.key })))}\n\n`;
}

/** Whether the stream's session (if it has one) is still live. */
async function stillSignedIn(sessionId: string | undefined): Promise<boolean> {
  const token = webConfig().FLEETDECK_ADMIN_TOKEN;
  if (!sessionId || !token) return true;
  return (await sessionById(await getDb(), sessionId, token)) !== null;
}

export async function GET(request: Request) {
  return withActor(async (actor) => {
    const session = actor.via === "admin-token" ? await currentSession() : null;
    if (actor.via === "admin-token" && !session) {
      return Response.json({ error: "sign in first: the session has ended" }, { status: 401 });
    }
    const url = new URL(request.url);
    const resumeFrom = request.headers.get("last-event-id") ?? url.searchParams.get("since");
    const resumeId = resumeFrom !== null && /^\d+$/.test(resumeFrom) ? Number(resumeFrom) : undefined;

    const encoder = new TextEncoder();
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            cleanup();
          }
        };
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
            if (rows.length > 0) send(frame(rows, missed.rows[missed.rows.length - 1]!.id));
          }
        }
        const end = () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed
          }
        };
        const endSession = () => {
          send(
            `event: session-ended\ndata: ${JSON.stringify({ error: "the session has ended: sign in again" })}\n\n`,
          );
          end();
        };
        // The feed delivers each change once, also one that committed after a higher id (a
        // change this stream's start may have missed): sent as it comes, a repeat at worst.
        const unsubscribe = await changeFeed.subscribe((rows, resumePoint) => {
          if (rows.some((r) => r.topic === TOPICS.sessions)) {
            void stillSignedIn(session?.id).then((live) => live || endSession(), endSession);
          }
          const fresh = rows.filter((r) => r.topic !== TOPICS.sessions);
          if (fresh.length > 0) send(frame(fresh, resumePoint));
        });
        const heartbeat = setInterval(() => send(`event: heartbeat\ndata: ${Date.now()}\n\n`), HEARTBEAT_MS);
        // The session's own end (12 h at most: well within a timer's range).
        const expiry = session ? setTimeout(endSession, session.expiresAt.getTime() - Date.now()) : undefined;
        cleanup = () => {
          clearInterval(heartbeat);
          clearTimeout(expiry);
          unsubscribe();
        };
        request.signal.addEventListener("abort", end);
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  });
}
