// One send, start to end: serialize, POST to the intake, record the attempt in the send log
// and in metrics. Shared by both forwarders so every attempt is logged the same way.
import { Counter, Histogram } from "prom-client";
import type { ForwarderName, SendReason } from "../../lib/metadata";
import { registry } from "../kube/metrics";
import type { Logger } from "../log";
import { IntakeError, type IntakeClient } from "./intake-client";
import type { SendLog } from "./send-log";

const sends = new Counter({
  name: "fleetdeck_metadata_sends_total",
  help: "Metadata send attempts, by forwarder, reason and outcome (sent, failed, skipped)",
  labelNames: ["forwarder", "reason", "status"],
  registers: [registry],
});

const sendDuration = new Histogram({
  name: "fleetdeck_metadata_send_duration_seconds",
  help: "Duration of a POST to the metadata intake",
  labelNames: ["forwarder"],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export interface SendSubject {
  kind: string;
  /** "namespace/name" */
  object: string;
  revision?: number;
  reason: SendReason;
  attempt: number;
}

export class Delivery {
  private lastSend: Date | undefined;

  constructor(
    readonly forwarder: ForwarderName,
    private readonly intake: IntakeClient,
    private readonly sendLog: SendLog,
    private readonly log: Logger,
  ) {}

  get lastSendAt(): Date | undefined {
    return this.lastSend;
  }

  /** Sends `payload`; throws IntakeError when the intake did not accept it (the caller retries). */
  async send(subject: SendSubject, payload: unknown, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify(payload);
    const at = new Date();
    const base = this.row(subject, at, body);
    try {
      const answer = await this.intake.send(body, signal);
      this.lastSend = at;
      sends.inc({ forwarder: this.forwarder, reason: subject.reason, status: "sent" });
      sendDuration.observe({ forwarder: this.forwarder }, answer.latencyMs / 1000);
      this.sendLog.record({
        ...base,
        status: "sent",
        httpStatus: answer.httpStatus,
        latencyMs: answer.latencyMs,
      });
      this.log.debug(
        { ...subject, httpStatus: answer.httpStatus, latencyMs: answer.latencyMs },
        "metadata sent",
      );
    } catch (error) {
      const failure =
        error instanceof IntakeError ? error : new IntakeError((error as Error).message, undefined, 0);
      sends.inc({ forwarder: this.forwarder, reason: subject.reason, status: "failed" });
      this.sendLog.record({
        ...base,
        status: "failed",
        httpStatus: failure.httpStatus ?? null,
        latencyMs: failure.latencyMs,
        error: failure.message,
      });
      throw failure;
    }
  }

  /** Records an object that cannot be sent (e.g. an undecodable Helm release) with the reason. */
  skipped(subject: SendSubject, reason: string): void {
    sends.inc({ forwarder: this.forwarder, reason: subject.reason, status: "skipped" });
    this.sendLog.record({ ...this.row(subject, new Date(), ""), status: "skipped", error: reason });
  }

  /** The send-log fields every attempt has. */
  private row(subject: SendSubject, at: Date, payload: string) {
    return {
      at,
      forwarder: this.forwarder,
      kind: subject.kind,
      object: subject.object,
      revision: subject.revision ?? null,
      reason: subject.reason,
      attempt: subject.attempt,
      payload,
      sizeBytes: Buffer.byteLength(payload),
    };
  }
}
