// The webhook's HTTPS server caps request bodies: an oversized AdmissionReview (declared by
// Content-Length or streamed in chunks) is answered 400 with the limit, and the server goes on
// answering valid reviews. It caps connections too, and cuts a request that never finishes.
import https from "node:https";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { eventually } from "../../../test/harness";
import { freePort } from "../../../testing/processes";
import { createCa, issueServingCertificate } from "./certs";
import { WebhookServer } from "./webhook";

const LIMIT = 64 * 1024;
const ca = createCa();
const serving = issueServingCertificate(ca, ["127.0.0.1"]);
const server = new WebhookServer(
  {
    workloads: { get: () => undefined, isDisabled: () => false },
    tracker: { ready: () => true, admit: () => "on-demand" },
  },
  pino({ level: "silent" }),
  { maxBodyBytes: LIMIT },
);
let port = 0;
beforeAll(async () => {
  port = await server.listen("127.0.0.1", await freePort(), { cert: serving.certPem, key: serving.keyPem });
});
afterAll(() => server.close());

function post(body: string, { chunked = false } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port,
        path: "/mutate",
        method: "POST",
        ca: ca.certPem,
        headers: {
          "content-type": "application/json",
          ...(chunked ? {} : { "content-length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    if (chunked) for (let i = 0; i < body.length; i += 8192) req.write(body.slice(i, i + 8192));
    else req.write(body);
    req.end();
  });
}

const review = (padding: string) =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "uid-1",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      namespace: "shop",
      operation: "CREATE",
      object: { metadata: { annotations: { padding } }, spec: {} },
    },
  });

describe("webhook body limit", () => {
  it("refuses a body over the limit, declared or streamed, and keeps serving", async () => {
    for (const chunked of [false, true]) {
      const big = await post(review("x".repeat(LIMIT)), { chunked });
      expect(big.status, `chunked=${chunked}`).toBe(400);
      expect(JSON.parse(big.body).error).toBe(`AdmissionReview body exceeds ${LIMIT} bytes`);
    }
    const ok = await post(review("small"));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).response).toMatchObject({ uid: "uid-1", allowed: true });
  });
});

describe("webhook connection and time limits", () => {
  const deps = {
    workloads: { get: () => undefined, isDisabled: () => false },
    tracker: { ready: () => true, admit: () => "on-demand" as const },
  };
  const connect = (to: number) =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port: to, ca: ca.certPem }, () => resolve(socket));
      socket.on("error", reject);
      socket.on("close", () => reject(new Error("closed by the server")));
    });

  it("closes connections beyond its cap at once and serves again once one is freed", async () => {
    const capped = new WebhookServer(deps, pino({ level: "silent" }), { maxConnections: 2 });
    const to = await capped.listen("127.0.0.1", await freePort(), {
      cert: serving.certPem,
      key: serving.keyPem,
    });
    try {
      const held = [await connect(to), await connect(to)];
      await expect(connect(to)).rejects.toThrow(/closed by the server|socket disconnected|ECONNRESET/);
      held[0]!.destroy();
      const again = await eventually(() => connect(to));
      again.destroy();
      held[1]!.destroy();
    } finally {
      await capped.close();
    }
  });

  it("answers 408 and closes a connection whose request never finishes its headers", async () => {
    const socket = await connect(port);
    socket.removeAllListeners("close");
    const answer = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
    });
    socket.write("POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");
    expect(await answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
