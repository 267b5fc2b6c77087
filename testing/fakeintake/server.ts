// A faithful fake of the Datadog metadata intake (a third party we cannot run here), for
// tests, benchmarks and the demo. Like the real one it takes POST /api/v1/metadata with a
// Dd-Api-Key header and a JSON body, answers 202, 403 without a key and 400 on bad JSON.
// Unlike it, it records every request (the API key redacted), can be told to fail or stall,
// and serves what it recorded:
//   GET  /fakeintake/records         every request recorded, oldest first (?after=<id>: newer ones)
//   POST /fakeintake/fail            {"status": 500, "times": 3, "delayMs": 0}: the next `times`
//                                     requests are delayed, then answered with `status`
//                                     (no status: delayed, then answered normally)
//   POST /fakeintake/reset           forget records and failure rules
import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

export const INTAKE_PATH = "/api/v1/metadata";

export interface IntakeRecord {
  id: number;
  /** When the whole body had arrived (ms since the epoch). */
  receivedAt: number;
  method: string;
  path: string;
  /** Lower-cased names; dd-api-key is "[redacted]". */
  headers: Record<string, string>;
  /** Parsed JSON body, or null when it was not JSON. */
  body: unknown;
  sizeBytes: number;
  /** What the fake answered. */
  status: number;
}

const failureSchema = z.object({
  status: z.number().int().min(100).max(599).optional(),
  times: z.number().int().min(0).default(1),
  delayMs: z.number().int().min(0).max(120_000).default(0),
});
export type FailureRule = z.input<typeof failureSchema>;

export interface FakeIntake {
  /** Base URL (no path): what DD_URL is set to. */
  url: string;
  port: number;
  records(): IntakeRecord[];
  /** Accepted (2xx) metadata posts only. */
  delivered(): IntakeRecord[];
  fail(rule: FailureRule): void;
  reset(): void;
  /** Called with each record as it is made; returns the unsubscribe function. */
  onRecord(listener: (record: IntakeRecord) => void): () => void;
  close(): Promise<void>;
}

export async function startFakeIntake(
  options: { host?: string; port?: number; maxRecords?: number } = {},
): Promise<FakeIntake> {
  const maxRecords = options.maxRecords ?? 50_000;
  let records: IntakeRecord[] = [];
  let rule: { status?: number; times: number; delayMs: number } | undefined;
  let nextId = 1;
  const listeners = new Set<(record: IntakeRecord) => void>();

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const receivedAt = Date.now();
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://fakeintake");
      const path = url.pathname;
      if (req.method === "GET" && path === "/fakeintake/records") {
        const after = Number(url.searchParams.get("after") ?? 0);
        return json(res, 200, after > 0 ? records.filter((r) => r.id > after) : records);
      }
      if (req.method === "POST" && path === "/fakeintake/reset") {
        reset();
        return json(res, 200, { status: "reset" });
      }
      if (req.method === "POST" && path === "/fakeintake/fail") {
        let parsed;
        try {
          parsed = failureSchema.safeParse(JSON.parse(raw.toString("utf8") || "{}"));
        } catch {
          return json(res, 400, {
            error: 'body must be JSON like {"status": 500, "times": 3, "delayMs": 0}',
          });
        }
        if (!parsed.success)
          return json(res, 400, {
            error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
          });
        fail(parsed.data);
        return json(res, 200, { status: "armed", rule });
      }
      if (path !== INTAKE_PATH) return json(res, 404, { errors: ["Not found"] });
      if (req.method !== "POST") return json(res, 405, { errors: ["Method not allowed"] });
      void answerMetadata(req, res, raw, receivedAt);
    });
  });

  async function answerMetadata(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: Buffer,
    receivedAt: number,
  ) {
    let status = 202;
    let answer: unknown = { status: "ok" };
    let body: unknown = null;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      body = null;
    }
    let delayMs = 0;
    if (!req.headers["dd-api-key"]) {
      status = 403;
      answer = { errors: ["Forbidden"] };
    } else if (body === null) {
      status = 400;
      answer = { errors: ["Payload is not valid JSON"] };
    } else if (rule && rule.times > 0) {
      rule.times--;
      delayMs = rule.delayMs;
      if (rule.status !== undefined) {
        status = rule.status;
        answer = { errors: [`fake intake: injected failure (${rule.status})`] };
      }
    }
    const record: IntakeRecord = {
      id: nextId++,
      receivedAt,
      method: req.method ?? "",
      path: INTAKE_PATH,
      headers: redactHeaders(req.headers),
      body,
      sizeBytes: raw.length,
      status,
    };
    records.push(record);
    if (records.length > maxRecords) records = records.slice(records.length - maxRecords);
    for (const listener of listeners) listener(record);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    json(res, status, answer);
  }

  function fail(input: FailureRule) {
    rule = failureSchema.parse(input);
  }
  function reset() {
    records = [];
    rule = undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    records: () => [...records],
    delivered: () => records.filter((r) => r.status >= 200 && r.status < 300),
    fail,
    reset,
    onRecord(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function redactHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = name === "dd-api-key" ? "[redacted]" : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
