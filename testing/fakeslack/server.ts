// A faithful fake of a Slack incoming webhook (a third party we cannot run here), for the fleet
// driver's notifications in tests, benchmarks and the demo. Like Slack's
// (https://api.slack.com/messaging/webhooks) it takes POST /services/<team>/<bot>/<secret> with
// a JSON body (or a form field `payload` holding the JSON), and answers:
//   200 "ok"                 the message has `text` (a non-empty string) or `blocks` (an array);
//   400 "invalid_payload"    the body is not JSON (an object);
//   400 "no_text"            neither text nor blocks;
//   404 "no_service"         another path (a revoked or mistyped webhook);
//   405                      another method;
// always as text/plain. It records every accepted message (GET /fakeslack/messages serves them,
// for the demo), and can be told to fail the next requests (a 500 "rollup_error", or 429
// "rate_limited" with Retry-After).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackMessage {
  id: number;
  receivedAt: number;
  text: string;
  body: Record<string, unknown>;
}

export interface FakeSlack {
  /** Where the recorded messages are served: GET /fakeslack/messages. */
  messagesUrl: string;
  /** The webhook's URL, secret path included: what FLEETDECK_NOTIFY_WEBHOOK_URL is set to. */
  url: string;
  messages(): SlackMessage[];
  /** The next `times` requests are answered with `status` (500 or 429) instead. */
  fail(status: 429 | 500, times?: number): void;
  /** Every answer given, accepted or not, in order. */
  answers(): { status: number; body: string }[];
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const secret = `/services/T0FLEETDECK/B0FLEET/${Math.random().toString(36).slice(2, 14)}`;
  const messages: SlackMessage[] = [];
  const answers: { status: number; body: string }[] = [];
  let failing: { status: 429 | 500; times: number } | undefined;
  let nextId = 1;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
        answers.push({ status, body });
        res.writeHead(status, { "content-type": "text/plain", ...headers });
        res.end(body);
      };
      if (req.method === "GET" && req.url === "/fakeslack/messages") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify(messages));
      }
      if (req.method !== "POST") return answer(405, "invalid_method");
      if (new URL(req.url ?? "/", "http://slack").pathname !== secret) return answer(404, "no_service");
      if (failing && failing.times > 0) {
        failing.times -= 1;
        return failing.status === 429
          ? answer(429, "rate_limited", { "retry-after": "1" })
          : answer(500, "rollup_error");
      }
      const raw = Buffer.concat(chunks).toString("utf8");
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      let body: unknown;
      try {
        body =
          type === "application/x-www-form-urlencoded"
            ? JSON.parse(new URLSearchParams(raw).get("payload") ?? "")
            : JSON.parse(raw);
      } catch {
        return answer(400, "invalid_payload");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body))
        return answer(400, "invalid_payload");
      const { text, blocks } = body as { text?: unknown; blocks?: unknown };
      const hasText = typeof text === "string" && text.trim() !== "";
      if (!hasText && !Array.isArray(blocks)) return answer(400, "no_text");
      messages.push({
        id: nextId++,
        receivedAt: Date.now(),
        text: hasText ? (text as string) : "",
        body: body as Record<string, unknown>,
      });
      answer(200, "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${secret}`,
    messagesUrl: `http://127.0.0.1:${port}/fakeslack/messages`,
    messages: () => [...messages],
    answers: () => [...answers],
    fail(status, times = 1) {
      failing = { status, times };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
