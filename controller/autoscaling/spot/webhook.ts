// The mutating admission webhook: an AdmissionReview v1 handler (decide spot or on-demand for a
// pod being created, answer with a JSONPatch for spot) and the HTTPS server that serves it on
// every replica. Bad requests get HTTP 400 with a message and never take the server down; a pod
// without a spot workload, or any request the handler does not understand the purpose of, is
// allowed unchanged. The server takes a bounded number of connections, gives each request a few
// seconds, and, when configured, answers only the API server: its bearer token (from the
// AdmissionConfiguration's kubeConfigFile) is checked with a TokenReview before anything else,
// so a review from anyone else never reaches the tracker's counts.
import https from "node:https";
import type http from "node:http";
import { z } from "zod";
import { formatIssues } from "../../../lib/commands";
import {
  CAPACITY_TYPE_KEY,
  CAPACITY_TYPE_SPOT,
  SPOT_ASSIGNED_LABEL,
  SPOT_ASSIGNED_VALUE,
} from "../../../lib/spot";
import type { DelegatedAuth } from "../../kube/delegated-auth";
import type { Logger } from "../../log";
import { WEBHOOK_MAX_CONNECTIONS, WEBHOOK_PATH } from "./config";
import { spotMetrics } from "./metrics";
import { resolveOwnership } from "./ownership";
import { placeNewPod } from "./placement";
import type { SpotTracker } from "./tracker";
import type { WorkloadConfigCache } from "./workload-config";

/** kube-apiserver caps request bodies at 3 MiB; an AdmissionReview carrying a pod is far smaller. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** The API server waits at most timeoutSeconds (≤ 30 s, 3 s by default) for an answer. */
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface WebhookServerOptions {
  maxBodyBytes?: number;
  maxConnections?: number;
  /**
   * Only these users, as a TokenReview of the request's bearer token names them, are answered
   * (FLEETDECK_SPOT_WEBHOOK_ALLOWED_USERS); anyone may call when absent.
   */
  clients?: { auth: Pick<DelegatedAuth, "authenticate">; users: readonly string[] };
}

const reviewSchema = z.object({
  apiVersion: z.literal("admission.k8s.io/v1", { error: 'apiVersion must be "admission.k8s.io/v1"' }),
  kind: z.literal("AdmissionReview", { error: 'kind must be "AdmissionReview"' }),
  request: z.object(
    {
      uid: z.string({ error: "request.uid must be a string" }).min(1, "request.uid must not be empty"),
      kind: z.object({ group: z.string(), version: z.string(), kind: z.string() }),
      resource: z.object({ group: z.string(), version: z.string(), resource: z.string() }),
      subResource: z.string().optional(),
      namespace: z.string().optional(),
      operation: z.string(),
      dryRun: z.boolean().optional(),
      object: z.unknown().optional(),
    },
    { error: "request is missing" },
  ),
});

const podSchema = z.object({
  metadata: z
    .object({
      namespace: z.string().optional(),
      labels: z.record(z.string(), z.string()).nullish(),
      ownerReferences: z
        .array(
          z.object({
            apiVersion: z.string(),
            kind: z.string(),
            name: z.string(),
            controller: z.boolean().nullish(),
          }),
        )
        .nullish(),
    })
    .loose(),
  spec: z
    .object({
      nodeSelector: z.record(z.string(), z.string()).nullish(),
      tolerations: z.array(z.unknown()).nullish(),
    })
    .loose(),
});

export type AdmissionDecision =
  "spot" | "on-demand" | "disabled" | "not-opted-in" | "no-owner" | "not-ready" | "ignored";

export interface AdmissionResult {
  status: number;
  body: unknown;
  decision?: AdmissionDecision;
}

export interface AdmissionDeps {
  workloads: Pick<WorkloadConfigCache, "get" | "isDisabled">;
  tracker: Pick<SpotTracker, "ready" | "admit">;
  now?: () => number;
}

interface JsonPatchOp {
  op: "add";
  path: string;
  value: unknown;
}

/** RFC 6901: "~" → "~0", "/" → "~1". */
function pointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** What assigning a pod to spot adds: a nodeSelector, a toleration and the spot-assigned label. */
export function spotPatch(pod: z.infer<typeof podSchema>): JsonPatchOp[] {
  const toleration = {
    key: CAPACITY_TYPE_KEY,
    operator: "Equal",
    value: CAPACITY_TYPE_SPOT,
    effect: "NoSchedule",
  };
  return [
    pod.spec.nodeSelector
      ? { op: "add", path: `/spec/nodeSelector/${pointer(CAPACITY_TYPE_KEY)}`, value: CAPACITY_TYPE_SPOT }
      : { op: "add", path: "/spec/nodeSelector", value: { [CAPACITY_TYPE_KEY]: CAPACITY_TYPE_SPOT } },
    pod.spec.tolerations
      ? { op: "add", path: "/spec/tolerations/-", value: toleration }
      : { op: "add", path: "/spec/tolerations", value: [toleration] },
    pod.metadata.labels
      ? { op: "add", path: `/metadata/labels/${pointer(SPOT_ASSIGNED_LABEL)}`, value: SPOT_ASSIGNED_VALUE }
      : { op: "add", path: "/metadata/labels", value: { [SPOT_ASSIGNED_LABEL]: SPOT_ASSIGNED_VALUE } },
  ];
}

function badRequest(message: string): AdmissionResult {
  return { status: 400, body: { error: message } };
}

/** Handles one AdmissionReview request body (already size-checked). */
export function reviewAdmission(bodyText: string, deps: AdmissionDeps): AdmissionResult {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch (error) {
    return badRequest(`malformed AdmissionReview: the body is not JSON (${(error as Error).message})`);
  }
  const parsed = reviewSchema.safeParse(json);
  if (!parsed.success) return badRequest(`malformed AdmissionReview: ${formatIssues(parsed.error)}`);
  const request = parsed.data.request;
  const respond = (decision: AdmissionDecision, patch?: JsonPatchOp[]): AdmissionResult => ({
    status: 200,
    decision,
    body: {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: {
        uid: request.uid,
        allowed: true,
        ...(patch
          ? { patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") }
          : {}),
      },
    },
  });

  const isPodCreate =
    request.operation === "CREATE" &&
    request.resource.group === "" &&
    request.resource.resource === "pods" &&
    !request.subResource;
  if (!isPodCreate) return respond("ignored");
  const pod = podSchema.safeParse(request.object);
  if (!pod.success)
    return badRequest(`malformed AdmissionReview: request.object: ${formatIssues(pod.error)}`);

  const namespace = request.namespace || pod.data.metadata.namespace || "";
  const controller = pod.data.metadata.ownerReferences?.find((o) => o.controller);
  const ownership = resolveOwnership(namespace, controller, pod.data.metadata.labels ?? undefined);
  if (!ownership) return respond("no-owner");
  const now = deps.now?.() ?? Date.now();
  const config = deps.workloads.get(ownership.workload, now);
  if (!config) return respond("not-opted-in");
  // Before the tracker has synced its counts would be wrong: on-demand (unchanged) is safe.
  if (!deps.tracker.ready()) return respond("not-ready");
  const dryRun = request.dryRun === true;
  if (deps.workloads.isDisabled(config, now)) {
    deps.tracker.admit(ownership, () => "on-demand", { dryRun });
    return respond("disabled");
  }
  const placement = deps.tracker.admit(ownership, (counts) => placeNewPod(counts, config.settings), {
    dryRun,
  });
  return placement === "spot" ? respond("spot", spotPatch(pod.data)) : respond("on-demand");
}

/** The HTTPS server of the webhook; its certificate can be replaced while it runs. */
export class WebhookServer {
  private server: https.Server | undefined;
  private readonly maxBodyBytes: number;

  constructor(
    private readonly deps: AdmissionDeps,
    private readonly log: Logger,
    private readonly options: WebhookServerOptions = {},
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  async listen(host: string, port: number, tls: { cert: string; key: string }): Promise<number> {
    // Timeouts are enforced by a periodic sweep: every second rather than Node's 30 s.
    const options = { ...tls, minVersion: "TLSv1.2" as const, connectionsCheckingInterval: 1_000 };
    this.server = https.createServer(options, (req, res) => {
      void this.handle(req, res).catch((error: Error) => {
        this.log.error({ err: error.stack }, "webhook request failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `internal error: ${error.message}` }));
      });
    });
    // Past the cap, new connections are closed at once; slow clients lose theirs.
    this.server.maxConnections = this.options.maxConnections ?? WEBHOOK_MAX_CONNECTIONS;
    this.server.headersTimeout = HEADERS_TIMEOUT_MS;
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.server.on("drop", () => spotMetrics.webhookErrors.inc({ code: "connection-refused" }));
    this.server.on("tlsClientError", (error) =>
      this.log.debug({ err: error.message }, "TLS handshake failed"),
    );
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as { port: number }).port;
  }

  /** Serves new connections with a renewed certificate. */
  setCertificate(tls: { cert: string; key: string }): void {
    this.server?.setSecureContext({ ...tls, minVersion: "TLSv1.2" });
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const headersAt = process.hrtime.bigint();
    const reply = (status: number, body: unknown) => {
      if (res.headersSent) return;
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
      if (status !== 200) spotMetrics.webhookErrors.inc({ code: String(status) });
    };
    const url = new URL(req.url ?? "/", "https://localhost");
    if (url.pathname !== WEBHOOK_PATH) {
      req.resume();
      reply(404, { error: `no such path ${url.pathname}; the webhook is at ${WEBHOOK_PATH}` });
      return;
    }
    if (req.method !== "POST") {
      req.resume();
      res.setHeader("allow", "POST");
      reply(405, { error: `${req.method} is not allowed; send the AdmissionReview with POST` });
      return;
    }
    // Who is calling, before the body is read: nobody but the API server reaches the tracker.
    const clients = this.options.clients;
    if (clients) {
      const who = await clients.auth.authenticate(req);
      const refusal = !who.ok
        ? who
        : clients.users.includes(who.user.username)
          ? undefined
          : { status: 403, message: `Forbidden: user "${who.user.username}" may not call the webhook` };
      if (refusal) {
        req.resume();
        this.log.warn({ status: refusal.status, error: refusal.message }, "webhook caller refused");
        reply(refusal.status, { error: refusal.message });
        return;
      }
    }
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (contentType !== "application/json") {
      req.resume();
      reply(400, { error: `expected Content-Type application/json, got "${contentType || "none"}"` });
      return;
    }
    // An oversized body is refused as soon as it is known to be one; the rest is read and
    // dropped (bounded by requestTimeout) rather than the connection reset under the client.
    const tooLarge = `AdmissionReview body exceeds ${this.maxBodyBytes} bytes`;
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = Number(req.headers["content-length"]) > this.maxBodyBytes;
    if (overflow) reply(400, { error: tooLarge });
    req.on("data", (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size <= this.maxBodyBytes) {
        chunks.push(chunk);
        return;
      }
      overflow = true;
      chunks.length = 0;
      reply(400, { error: tooLarge });
    });
    req.on("error", (error) => this.log.debug({ err: error.message }, "webhook request aborted"));
    req.on("end", () => {
      if (overflow) return;
      // The handling time starts here: before, the request waited for its body to arrive.
      const bodyAt = process.hrtime.bigint();
      let result: AdmissionResult;
      try {
        result = reviewAdmission(Buffer.concat(chunks).toString("utf8"), this.deps);
      } catch (error) {
        this.log.error({ err: (error as Error).stack }, "webhook handler failed");
        result = { status: 500, body: { error: `internal error: ${(error as Error).message}` } };
      }
      if (result.status !== 200) {
        this.log.warn(
          { status: result.status, error: (result.body as { error: string }).error },
          "bad webhook request",
        );
      }
      reply(result.status, result.body);
      if (result.decision) spotMetrics.admissions.inc({ decision: result.decision });
      const done = process.hrtime.bigint();
      spotMetrics.webhookDuration.observe(Number(done - bodyAt) / 1e9);
      spotMetrics.webhookRequestDuration.observe(Number(done - headersAt) / 1e9);
    });
  }
}
