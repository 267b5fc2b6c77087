// The one client for every call the controller makes to the API server: reads, writes,
// server-side apply, patches, evictions, deletes and the watch streams the informers read.
// client-node 1.x opens a new TLS connection per call and runs bodies through its typed
// serializer; this client keeps connections alive, leaves bodies as plain JSON, and names the
// controller in every request's User-Agent. Credentials come from kubeconfig.ts.
import http from "node:http";
import https from "node:https";
import type { ClusterCredentials } from "./kubeconfig";
import { restClientMetrics } from "./metrics";

/** The field manager of every write fleetdeck makes (server-side apply owns fields by it). */
export const FIELD_MANAGER = "fleetdeck";

export const CONTENT_TYPE = {
  json: "application/json",
  mergePatch: "application/merge-patch+json",
  jsonPatch: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** A non-2xx answer: `code` is the HTTP status, `body` the Status object when there is one. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | undefined>;

export interface KubeRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: (typeof CONTENT_TYPE)[keyof typeof CONTENT_TYPE];
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ResourceRef {
  /** "" (or absent) for the core group. */
  group?: string;
  version: string;
  /** Plural resource name, e.g. "deployments". */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** `/api/v1/namespaces/ns/pods/name` or `/apis/apps/v1/deployments`, from its parts. */
export function resourcePath(ref: ResourceRef): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : "";
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : "";
  const sub = ref.name && ref.subresource ? `/${ref.subresource}` : "";
  return `${base}${ns}/${ref.resource}${name}${sub}`;
}

export interface ListResult<T> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export class KubeClient {
  private readonly agents = {
    "https:": new https.Agent({ keepAlive: true, maxSockets: 32 }),
    "http:": new http.Agent({ keepAlive: true, maxSockets: 32 }),
  };
  // Watches hold their connection for minutes: their own pool, so they never starve requests.
  private readonly watchAgents = {
    "https:": new https.Agent({ keepAlive: true }),
    "http:": new http.Agent({ keepAlive: true }),
  };

  constructor(
    /** The server's address and the credentials (client-node's KubeConfig also fits, in tests). */
    readonly kc: ClusterCredentials,
    private readonly userAgent = "fleetdeck-controller",
  ) {}

  /** The API server's URL, for logs. */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? "";
  }

  /** The kubeconfig's current context ("" in a pod). */
  get context(): string {
    return this.kc.getCurrentContext();
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const started = performance.now();
    const payload =
      req.body === undefined ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    const { url, options } = await this.options(req.method, req.path, req.query);
    if (payload !== undefined) {
      options.headers = {
        ...options.headers,
        "Content-Type": req.contentType ?? CONTENT_TYPE.json,
        "Content-Length": String(Buffer.byteLength(payload)),
      };
    }
    const timeoutMs = req.timeoutMs ?? 30_000;
    const transport = url.protocol === "http:" ? http : https;
    const agent = this.agents[url.protocol === "http:" ? "http:" : "https:"];
    let code = "error";
    try {
      return await new Promise<T>((resolve, reject) => {
        const request = transport.request(
          url,
          { ...options, agent, timeout: timeoutMs, signal: req.signal },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              const status = res.statusCode ?? 0;
              code = String(status);
              if (status < 200 || status >= 300) return reject(apiErrorFrom(status, text));
              try {
                resolve((text ? JSON.parse(text) : undefined) as T);
              } catch (error) {
                reject(new Error(`invalid JSON from ${req.method} ${req.path}: ${(error as Error).message}`));
              }
            });
          },
        );
        request.on("timeout", () =>
          request.destroy(new Error(`${req.method} ${req.path} timed out after ${timeoutMs} ms`)),
        );
        request.on("error", reject);
        request.end(payload);
      });
    } finally {
      restClientMetrics.requests.inc({ method: req.method, code });
      restClientMetrics.latency.observe({ verb: req.method }, (performance.now() - started) / 1000);
    }
  }

  get<T>(path: string, query?: Query, timeoutMs?: number): Promise<T> {
    return this.request<T>({ method: "GET", path, query, timeoutMs });
  }

  /** The object, or undefined when the API server answers 404. */
  async getIfExists<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  list<T>(path: string, query?: Query): Promise<ListResult<T>> {
    return this.request<ListResult<T>>({ method: "GET", path, query, timeoutMs: 60_000 });
  }

  create<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>({ method: "POST", path, body, query });
  }

  /** PUT: a replace guarded by the body's metadata.resourceVersion (a stale one is a 409). */
  replace<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>({ method: "PUT", path, body, query });
  }

  /** Server-side apply as fleetdeck's field manager, taking over conflicting fields. */
  apply<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>({
      method: "PATCH",
      path,
      body,
      contentType: CONTENT_TYPE.apply,
      query: { fieldManager: FIELD_MANAGER, force: "true" },
    });
  }

  /** RFC 7386 merge patch; a patch carrying metadata.resourceVersion is guarded by it. */
  mergePatch<T>(path: string, patch: unknown, query?: Query): Promise<T> {
    return this.request<T>({
      method: "PATCH",
      path,
      body: patch,
      contentType: CONTENT_TYPE.mergePatch,
      query: { fieldManager: FIELD_MANAGER, ...query },
    });
  }

  /** RFC 6902 JSON patch: a list of operations, applied only if each `test` among them holds (else 422). */
  jsonPatch<T>(path: string, operations: unknown[]): Promise<T> {
    return this.request<T>({
      method: "PATCH",
      path,
      body: operations,
      contentType: CONTENT_TYPE.jsonPatch,
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /** Merge patch of the status subresource of the object at `path`. */
  patchStatus<T>(path: string, patch: unknown): Promise<T> {
    return this.mergePatch<T>(`${path}/status`, patch);
  }

  /** policy/v1 Eviction: PodDisruptionBudgets hold (429 when one does not allow it). */
  evict(namespace: string, name: string): Promise<unknown> {
    return this.create(
      resourcePath({ version: "v1", resource: "pods", namespace, name, subresource: "eviction" }),
      {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, namespace },
      },
    );
  }

  delete(path: string): Promise<unknown> {
    return this.request({ method: "DELETE", path });
  }

  /**
   * Opens a watch (or any streaming GET): resolves with the response once the server answered
   * 200; a non-200 answer becomes an ApiError. Aborting `signal` ends the stream.
   */
  async stream(path: string, query: Query, signal: AbortSignal): Promise<http.IncomingMessage> {
    const { url, options } = await this.options("GET", path, query);
    const transport = url.protocol === "http:" ? http : https;
    const agent = this.watchAgents[url.protocol === "http:" ? "http:" : "https:"];
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { ...options, agent, signal }, (res) => {
        restClientMetrics.requests.inc({ method: "WATCH", code: String(res.statusCode ?? 0) });
        if (res.statusCode === 200) {
          // Half-open connections are found by TCP keep-alive probes (and the informer's watchdog).
          res.socket.setKeepAlive(true, 30_000);
          return resolve(res);
        }
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => reject(apiErrorFrom(res.statusCode ?? 0, text)));
        res.on("error", reject);
      });
      request.on("error", reject);
      request.end();
    });
  }

  /** Closes the kept-alive connections (the process is shutting down). */
  close(): void {
    for (const agent of [...Object.values(this.agents), ...Object.values(this.watchAgents)]) agent.destroy();
  }

  private async options(
    method: string,
    path: string,
    query?: Query,
  ): Promise<{ url: URL; options: https.RequestOptions }> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, value);
    const search = params.size > 0 ? `?${params.toString()}` : "";
    const url = new URL(cluster.server.replace(/\/$/, "") + path + search);
    // Certificates, bearer tokens (re-read when rotated) and exec plugins, as the kubeconfig says.
    const options: https.RequestOptions = { method, headers: {} };
    await this.kc.applyToHTTPSOptions(options);
    options.headers = { ...options.headers, Accept: "application/json", "User-Agent": this.userAgent };
    return { url, options };
  }
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

/** The HTTP status of an API answer, or undefined for other errors (network, timeout). */
export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiError ? error.code : undefined;
}

export const isNotFound = (error: unknown): boolean => statusCode(error) === 404;
export const isConflict = (error: unknown): boolean => statusCode(error) === 409;

/** A one-line description of a failed call, for logs and user-facing messages. */
export function describeKubeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  const e = error as { message?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.message ?? String(error);
}

/**
 * `fleetdeck-controller/<version> (<os>/<arch>) <controller id>`, as client-go identifies its
 * programs: the API server's audit log and metrics can then tell this process's requests from
 * every other client's (the local cluster's admin user is shared with kube-controller-manager).
 */
export function controllerUserAgent(controllerId: string, version: string): string {
  const id = controllerId.replace(/[^\x21-\x7e]/g, "_");
  return `fleetdeck-controller/${version} (${process.platform}/${process.arch}) ${id}`;
}
