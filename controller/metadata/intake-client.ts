// POSTs a payload to the Datadog metadata intake with the headers upstream sends. Plain JSON,
// no compression, 10 s timeout, keep-alive connections (node:http rather than fetch: a burst
// of sends costs a fraction of the CPU). Any answer other than 2xx is a failed send (upstream's
// CRD forwarder only logged 4xx/5xx; fleetdeck retries them).
import http from "node:http";
import https from "node:https";
import { FLEETDECK_VERSION } from "../../lib/version";

export const INTAKE_TIMEOUT_MS = 10_000;
export const USER_AGENT = `fleetdeck/${FLEETDECK_VERSION}`;
/** Enough of an error answer to say what went wrong. */
const EXCERPT_BYTES = 2048;

export interface IntakeAnswer {
  httpStatus: number;
  latencyMs: number;
}

export class IntakeError extends Error {
  override name = "IntakeError";
  constructor(
    message: string,
    /** undefined when no HTTP answer came back (network error, timeout). */
    readonly httpStatus: number | undefined,
    readonly latencyMs: number,
  ) {
    super(message);
  }
}

export class IntakeClient {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(
    url: string,
    // Only ever a request header: never logged, never part of an error message.
    private readonly apiKey: string,
    private readonly timeoutMs = INTAKE_TIMEOUT_MS,
  ) {
    this.url = new URL(url);
    this.agent =
      this.url.protocol === "https:"
        ? new https.Agent({ keepAlive: true, maxSockets: 16 })
        : new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  /** Sends `body` (JSON text); resolves on 2xx, throws IntakeError otherwise. */
  send(body: string, signal?: AbortSignal): Promise<IntakeAnswer> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    const client = this.url.protocol === "https:" ? https : http;
    return new Promise<IntakeAnswer>((resolve, reject) => {
      let settled = false;
      const fail = (message: string, httpStatus?: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        req.destroy();
        reject(new IntakeError(message, httpStatus, elapsed()));
      };
      const onAbort = () => fail("send aborted");
      const timer = setTimeout(
        () => fail(`intake did not answer within ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
      const req = client.request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "Dd-Api-Key": this.apiKey,
            "Content-Type": "application/json",
            Accept: "application/json",
            "User-Agent": USER_AGENT,
            "Content-Length": Buffer.byteLength(body),
          },
        },
        (res) => {
          let excerpt = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            if (excerpt.length < EXCERPT_BYTES) excerpt += chunk;
          });
          res.on("error", (error) => fail(`intake answer broken: ${error.message}`));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              const text = excerpt.replace(/\s+/g, " ").trim().slice(0, 200);
              fail(`intake answered HTTP ${status}${text ? `: ${text}` : ""}`, status);
              return;
            }
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            resolve({ httpStatus: status, latencyMs: elapsed() });
          });
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) =>
        fail(`intake unreachable: ${error.code ?? error.message}`),
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
