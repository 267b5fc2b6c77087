// The webhook's HTTPS server caps request bodies: an oversized AdmissionReview (declared by
// Content-Length or streamed in chunks) is answered 400 with the limit, and the server goes on
// answering valid reviews. It caps connections too, and cuts a request that never finishes.
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { eventually } from "../../../test/harness";
import { podCreateReview, postToWebhook } from "../../../test/spot";
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

const post = async (body: string, { chunked = false } = {}) => {
  const { status, text } = await postToWebhook({ port, ca: ca.certPem, body, chunked });
  return { status, body: text };
};

const review = (padding: string) => podCreateReview({ metadata: { annotations: { padding } }, spec: {} });

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
