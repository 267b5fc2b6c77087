// Server-Sent Events: tells the browser which topics changed (by change-feed id), so it
// refetches only those queries. Resumes from Last-Event-ID after a reconnect: an event's id is
// the feed's resume point (every change up to it was sent), so a resumed stream may repeat a
// change, never miss one.
import { changeFeed, type ChangeRow } from "@/server/live/change-feed";
import { withActor } from "@/server/auth";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

function frame(rows: ChangeRow[], id: number): string {
  return `id: ${id}\nevent: changes\ndata: ${JSON.stringify(rows.map((r) => ({ topic: r.topic, key: r.key })))}\n\n`;
}

export async function GET(request: Request) {
  return withActor(async () => {
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
          } else if (missed.rows.length > 0) {
            send(frame(missed.rows, missed.rows[missed.rows.length - 1]!.id));
          }
        }
        // The feed delivers each change once, also one that committed after a higher id (a
        // change this stream's start may have missed): sent as it comes, a repeat at worst.
        const unsubscribe = await changeFeed.subscribe((rows, resumePoint) => send(frame(rows, resumePoint)));
        const heartbeat = setInterval(() => send(`event: heartbeat\ndata: ${Date.now()}\n\n`), HEARTBEAT_MS);
        cleanup = () => {
          clearInterval(heartbeat);
          unsubscribe();
        };
        request.signal.addEventListener("abort", () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed
          }
        });
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
