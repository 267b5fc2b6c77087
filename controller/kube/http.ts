// Raw requests to the API server with the kubeconfig's credentials. client-node's Watch and
// ListWatch cannot transform objects before caching, decode lists and watch events differently
// (typed models vs raw JSON), and leak a socket per reconnect in 1.x (#2893); the informer
// therefore speaks HTTP itself, through these helpers.
import https from "node:https";
import http from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export async function requestOptions(
  kc: KubeConfig,
  path: string,
  method = "GET",
): Promise<{ url: URL; options: https.RequestOptions }> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const options: https.RequestOptions = { method, headers: { Accept: "application/json" } };
  await kc.applyToHTTPSOptions(options);
  const url = new URL(cluster.server.replace(/\/$/, "") + path);
  return { url, options };
}

/** GET a JSON document; a non-2xx answer becomes an ApiError with the Status message. */
export async function getJson<T>(kc: KubeConfig, path: string, timeoutMs = 60_000): Promise<T> {
  const { url, options } = await requestOptions(kc, path);
  const client = url.protocol === "http:" ? http : https;
  return new Promise<T>((resolve, reject) => {
    const req = client.request(url, { ...options, timeout: timeoutMs }, (res) => {
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
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(new Error(`invalid JSON from GET ${path}: ${(error as Error).message}`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

export function apiErrorFrom(status: number, text: string): ApiError {
  let body: unknown = text;
  let message = text.slice(0, 300);
  try {
    body = JSON.parse(text);
    message = (body as { message?: string }).message ?? message;
  } catch {
    // not a Status object
  }
  return new ApiError(status, `HTTP ${status}: ${message}`, body);
}
