// JSON requests to the API server over kept-alive connections. client-node 1.x opens a new TLS
// connection for every call (a fresh https.Agent each time) and runs typed models through its
// ObjectSerializer; a reconciler that writes a few objects per key pays for both on every
// call. This client reuses connections and leaves bodies as plain JSON. Errors are ApiErrors
// with `.code` and `.body`, as client-node's are, so describeKubeError/statusCode apply.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { apiErrorFrom, requestOptions } from "./http";

export const CONTENT_TYPE = {
  json: "application/json",
  mergePatch: "application/merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

export interface JsonRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: (typeof CONTENT_TYPE)[keyof typeof CONTENT_TYPE];
  timeoutMs?: number;
}

export class KubeJsonClient {
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(private readonly kc: KubeConfig) {}

  async request<T>(req: JsonRequest): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {}))
      if (value !== undefined) params.set(key, value);
    const path = params.size > 0 ? `${req.path}?${params.toString()}` : req.path;
    const { url, options } = await requestOptions(this.kc, path, req.method);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = {
      ...(options.headers as Record<string, string>),
      Accept: "application/json",
      ...(payload !== undefined
        ? {
            "Content-Type": req.contentType ?? CONTENT_TYPE.json,
            "Content-Length": String(Buffer.byteLength(payload)),
          }
        : {}),
    };
    const client = url.protocol === "http:" ? http : https;
    const agent = url.protocol === "http:" ? this.httpAgent : this.httpsAgent;
    const timeoutMs = req.timeoutMs ?? 30_000;
    return new Promise<T>((resolve, reject) => {
      const request = client.request(url, { ...options, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(apiErrorFrom(status, text));
            return;
          }
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch (error) {
            reject(new Error(`invalid JSON from ${req.method} ${req.path}: ${(error as Error).message}`));
          }
        });
      });
      request.on("timeout", () =>
        request.destroy(new Error(`${req.method} ${req.path} timed out after ${timeoutMs} ms`)),
      );
      request.on("error", reject);
      request.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }
}
