// Notifications of fleet experiments to a webhook, in the JSON of Slack's incoming webhooks
// (`{"text": …}`, which Mattermost, Rocket.Chat, Teams' Slack-compatible connectors and most
// chat tools accept too). The rows are an outbox written with the decision they report
// (store.ts), so a notification is sent by whichever driver leads, after a failover too. The
// webhook URL holds a token: it is configuration only, never stored, logged or shown.
import { withRetry, type Database } from "../lib/db/open";
import { TOPICS } from "../lib/topics";
import type { Logger } from "./log";

export interface NotifierOptions {
  /** FLEETDECK_NOTIFY_WEBHOOK_URL; without one, notifications are marked skipped. */
  url?: string;
  /** FLEETDECK_DASHBOARD_URL: each message links to the fleet experiment's page. */
  dashboardUrl?: string;
  /** Attempts before a notification is given up (network errors, 5xx). */
  maxAttempts?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Slack's control characters in message text (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The message of a notification: one line, the fleet experiment's name linked to its page. */
export function slackMessage(name: string, text: string, dashboardUrl?: string): { text: string } {
  const link = dashboardUrl
    ? `<${dashboardUrl.replace(/\/$/, "")}/fleet-experiments/${encodeURIComponent(name)}|${slackEscape(name)}>`
    : `*${slackEscape(name)}*`;
  return { text: `fleetdeck: fleet experiment ${link}: ${slackEscape(text)}` };
}

type Delivery = { ok: true } | { ok: false; retry: boolean; error: string; retryAfterMs?: number };

export class Notifier {
  private notBefore = 0;
  private readonly maxAttempts: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly opts: NotifierOptions,
    private readonly log: Logger,
  ) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.fetch = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  /** Sends what is pending, oldest first; stops at the first failure worth a retry. */
  async flush(): Promise<void> {
    if (this.now() < this.notBefore) return;
    const pending = await this.db.fleetNotification.findMany({
      where: { status: "pending" },
      orderBy: { id: "asc" },
      take: 20,
    });
    if (pending.length === 0) return;
    const names = new Map(
      (
        await this.db.fleetExperiment.findMany({
          where: { id: { in: [...new Set(pending.map((p) => p.fleetExperimentId))] } },
          select: { id: true, name: true },
        })
      ).map((f) => [f.id, f.name]),
    );
    for (const n of pending) {
      if (!this.opts.url) {
        await this.record(n.id, {
          status: "skipped",
          attempts: n.attempts,
          lastError: "no webhook configured",
        });
        continue;
      }
      const name = names.get(n.fleetExperimentId) ?? String(n.fleetExperimentId);
      const result = await this.deliver(slackMessage(name, n.text, this.opts.dashboardUrl));
      const attempts = n.attempts + 1;
      if (result.ok) {
        await this.record(n.id, { status: "sent", attempts, lastError: null, sentAt: new Date(this.now()) });
        continue;
      }
      const giveUp = !result.retry || attempts >= this.maxAttempts;
      this.log.warn(
        { notification: n.id, event: n.event, attempts, error: result.error, givenUp: giveUp },
        "webhook notification failed",
      );
      await this.record(n.id, { status: giveUp ? "failed" : "pending", attempts, lastError: result.error });
      if (!giveUp) {
        // Back off (Retry-After when the receiver says so), and keep the order of messages.
        this.notBefore = this.now() + (result.retryAfterMs ?? Math.min(60_000, 1_000 * 2 ** attempts));
        return;
      }
    }
  }

  /** One POST, as Slack's incoming webhooks take it: 200 "ok", or an error code in the body. */
  private async deliver(message: { text: string }): Promise<Delivery> {
    let res: Response;
    try {
      res = await this.fetch(this.opts.url!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(10_000),
        redirect: "error",
      });
    } catch (error) {
      // The URL is never part of the message (it holds the webhook's token).
      return { ok: false, retry: true, error: `webhook unreachable: ${(error as Error).name}` };
    }
    const body = (await res.text().catch(() => "")).slice(0, 200);
    if (res.ok) return { ok: true };
    const error = `HTTP ${res.status}${body ? `: ${body}` : ""}`;
    if (res.status === 429) {
      const seconds = Number(res.headers.get("retry-after"));
      return {
        ok: false,
        retry: true,
        error,
        retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined,
      };
    }
    return { ok: false, retry: res.status >= 500, error };
  }

  private async record(
    id: number,
    data: { status: string; attempts: number; lastError: string | null; sentAt?: Date },
  ): Promise<void> {
    await withRetry(() =>
      this.db.$transaction([
        this.db.fleetNotification.update({ where: { id }, data }),
        this.db.change.create({ data: { topic: TOPICS.fleetExperiments, key: "" } }),
      ]),
    );
  }
}
