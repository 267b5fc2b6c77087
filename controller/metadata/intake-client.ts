// POSTs a payload to the Datadog metadata intake with the headers upstream sends. Plain JSON,
// no compression, 10 s timeout. Any answer other than 2xx is a failed send (upstream's CRD
// forwarder only logged 4xx/5xx; fleetdeck retries them).
import { FLEETDECK_VERSION } from "../../lib/version";

export const INTAKE_TIMEOUT_MS = 10_000;
export const USER_AGENT = `fleetdeck/${FLEETDECK_VERSION}`;

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
  constructor(
    private readonly url: string,
    // Kept in this closure-like field only: never logged, never part of an error message.
    private readonly apiKey: string,
    private readonly timeoutMs = INTAKE_TIMEOUT_MS,
  ) {}

  get endpoint(): string {
    return this.url;
  }

  /** Sends `body` (JSON text); resolves on 2xx, throws IntakeError otherwise. */
  async send(body: string, signal?: AbortSignal): Promise<IntakeAnswer> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: {
          "Dd-Api-Key": this.apiKey,
          "Content-Type": "application/json",
          Accept: "application/json",
          "User-Agent": USER_AGENT,
        },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      const message = timeout.aborted
        ? `intake did not answer within ${this.timeoutMs} ms`
        : signal?.aborted
          ? "send aborted"
          : `intake unreachable: ${describeFetchError(error)}`;
      throw new IntakeError(message, undefined, elapsed());
    }
    // Read the body so the connection can be reused; keep a short excerpt for failures.
    const text = await res.text().catch(() => "");
    const latencyMs = elapsed();
    if (!res.ok) {
      const excerpt = text.replace(/\s+/g, " ").trim().slice(0, 200);
      throw new IntakeError(
        `intake answered HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}`,
        res.status,
        latencyMs,
      );
    }
    return { httpStatus: res.status, latencyMs };
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
