// Kubernetes Events (events.k8s.io/v1) the way client-go's events library records them: the
// first occurrence is created at once; identical ones within 6 minutes are folded into that
// Event's `series` (count, lastObservedTime), written at most every `seriesFlushMs`. A hot loop
// therefore costs the API server one create and a periodic patch, not one write per call.
import type { Logger } from "../log";
import { describeKubeError, resourcePath, type KubeClient } from "./client";
import { eventMetrics } from "./metrics";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface EventInput {
  regarding: ObjectRef;
  related?: ObjectRef;
  type: "Normal" | "Warning";
  reason: string;
  /** What was done (events.k8s.io's action), e.g. "Evict", "Rollback". */
  action: string;
  note: string;
}

export interface EventRecorderOptions {
  reportingController: string;
  reportingInstance: string;
  /** How long identical events keep folding into one series (client-go: 6 minutes). */
  seriesWindowMs?: number;
  /** How often pending series counts are written (client-go: 30 s). */
  seriesFlushMs?: number;
}

interface Series {
  namespace: string;
  name: string;
  count: number;
  lastObserved: Date;
  firstSeen: number;
  dirty: boolean;
  created: Promise<boolean>;
}

const NOTE_MAX = 1024;

/** events.k8s.io's eventTime is a MicroTime: RFC 3339 with six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

const eventsPath = (namespace: string, name?: string) =>
  resourcePath({ group: "events.k8s.io", version: "v1", resource: "events", namespace, name });

export class EventRecorder {
  private readonly series = new Map<string, Series>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly windowMs: number;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: EventRecorderOptions,
    private readonly log: Logger,
  ) {
    this.windowMs = opts.seriesWindowMs ?? 6 * 60_000;
    this.flushTimer = setInterval(() => void this.flush(), opts.seriesFlushMs ?? 30_000);
    this.flushTimer.unref();
  }

  /** Records an event; never throws (events are best effort), failures are logged and counted. */
  record(input: EventInput): void {
    const note = input.note.length > NOTE_MAX ? `${input.note.slice(0, NOTE_MAX - 1)}…` : input.note;
    const key = JSON.stringify([
      input.regarding,
      input.related ?? null,
      input.type,
      input.reason,
      input.action,
      note,
    ]);
    const now = Date.now();
    const existing = this.series.get(key);
    if (existing && now - existing.firstSeen < this.windowMs) {
      existing.count++;
      existing.lastObserved = new Date(now);
      existing.dirty = true;
      eventMetrics.emitted.inc({ reason: input.reason, kind: "series" });
      return;
    }
    const namespace = input.regarding.namespace || "default";
    const name = `${input.regarding.name}.${(BigInt(now) * 1_000_000n + BigInt(this.series.size)).toString(16)}`;
    const entry: Series = {
      namespace,
      name,
      count: 1,
      lastObserved: new Date(now),
      firstSeen: now,
      dirty: false,
      created: this.create(namespace, name, input, note, now),
    };
    this.series.set(key, entry);
    eventMetrics.emitted.inc({ reason: input.reason, kind: "new" });
  }

  private async create(
    namespace: string,
    name: string,
    input: EventInput,
    note: string,
    now: number,
  ): Promise<boolean> {
    try {
      await this.client.create(eventsPath(namespace), {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name, namespace },
        eventTime: microTime(now),
        regarding: input.regarding,
        related: input.related,
        type: input.type,
        reason: input.reason,
        action: input.action,
        note,
        reportingController: this.opts.reportingController,
        reportingInstance: this.opts.reportingInstance,
      });
      return true;
    } catch (error) {
      eventMetrics.writeErrors.inc();
      this.log.warn(
        { reason: input.reason, regarding: input.regarding.name, err: describeKubeError(error) },
        "event not recorded",
      );
      return false;
    }
  }

  /** Writes the counts of series that grew since the last flush and forgets expired ones. */
  async flush(): Promise<void> {
    const now = Date.now();
    const writes: Promise<void>[] = [];
    for (const [key, s] of this.series) {
      if (s.dirty) {
        s.dirty = false;
        writes.push(this.writeSeries(s));
      }
      if (now - s.firstSeen >= this.windowMs && !s.dirty) this.series.delete(key);
    }
    await Promise.all(writes);
  }

  private async writeSeries(s: Series): Promise<void> {
    if (!(await s.created)) return;
    const series = { count: s.count, lastObservedTime: microTime(s.lastObserved.getTime()) };
    try {
      await this.client.mergePatch(eventsPath(s.namespace, s.name), { series });
    } catch (error) {
      eventMetrics.writeErrors.inc();
      this.log.warn({ event: s.name, err: describeKubeError(error) }, "event series not updated");
    }
  }

  /** Flushes pending series and stops the timer. */
  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    await Promise.all([...this.series.values()].map((s) => s.created));
    await this.flush();
  }
}
