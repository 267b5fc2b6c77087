// Notifications from the store's outbox to a webhook that keeps Slack's contract (the fake in
// testing/fakeslack, a third party we cannot run): sent in order, retried after a 500 and after
// a 429's Retry-After, given up on a refusal (a revoked webhook), skipped without a webhook.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../lib/db/open";
import { createTestDatabase } from "../testing/database";
import { startFakeSlack, type FakeSlack } from "../testing/fakeslack/server";
import { createRootLogger } from "./log";
import { Notifier } from "./notify";

describe("fleet experiment notifications", () => {
  let db: Database;
  let slack: FakeSlack;
  let fleetExperimentId: number;
  const clock = { now: 1_000_000 };

  beforeAll(async () => {
    ({ db } = await createTestDatabase("notify"));
    slack = await startFakeSlack();
    const fx = await db.fleetExperiment.create({
      data: {
        name: "apm-on",
        spec: "{}",
        plan: "{}",
        phase: "running",
        actor: "alice",
        actorAuth: "local",
        updatedAt: new Date(),
      },
    });
    fleetExperimentId = fx.id;
  });
  afterAll(async () => {
    await slack?.close();
    await db?.$disconnect();
  });

  const notify = (event: string, text: string) =>
    db.fleetNotification.create({ data: { fleetExperimentId, event, text } });
  const notifier = (url?: string) =>
    new Notifier(
      db,
      { url, dashboardUrl: "https://fleet.example", now: () => clock.now },
      createRootLogger("silent"),
    );
  const statusOf = async (id: number) => db.fleetNotification.findUniqueOrThrow({ where: { id } });

  it("the fake answers as Slack does", async () => {
    const post = (body: string, type = "application/json", url = slack.url) =>
      fetch(url, { method: "POST", headers: { "content-type": type }, body }).then(async (r) => [
        r.status,
        await r.text(),
      ]);
    expect(await post(JSON.stringify({ text: "hi" }))).toEqual([200, "ok"]);
    expect(
      await post(
        `payload=${encodeURIComponent(JSON.stringify({ text: "form" }))}`,
        "application/x-www-form-urlencoded",
      ),
    ).toEqual([200, "ok"]);
    expect(await post(JSON.stringify({ username: "x" }))).toEqual([400, "no_text"]);
    expect(await post("{not json")).toEqual([400, "invalid_payload"]);
    expect(
      await post(
        JSON.stringify({ text: "hi" }),
        "application/json",
        `${new URL(slack.url).origin}/services/T/B/wrong`,
      ),
    ).toEqual([404, "no_service"]);
  });

  it("sends pending notifications in order, as Slack messages linking the page", async () => {
    const before = slack.messages().length;
    const a = await notify("started", "started by alice");
    const b = await notify("wave-passed", "wave 1 passed: east <canary>");
    await notifier(slack.url).flush();
    expect(
      slack
        .messages()
        .slice(before)
        .map((m) => m.text),
    ).toEqual([
      "fleetdeck: fleet experiment <https://fleet.example/fleet-experiments/apm-on|apm-on>: started by alice",
      "fleetdeck: fleet experiment <https://fleet.example/fleet-experiments/apm-on|apm-on>: wave 1 passed: east &lt;canary&gt;",
    ]);
    for (const id of [a.id, b.id]) expect(await statusOf(id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("retries after a 500 and after a 429's Retry-After, keeping the order", async () => {
    const before = slack.messages().length;
    const n = await notify("halted", "halted: west failed");
    const later = await notify("restored", "west restored");
    const sender = notifier(slack.url);
    slack.fail(500);
    await sender.flush();
    expect(await statusOf(n.id)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "HTTP 500: rollup_error",
    });
    expect(await statusOf(later.id)).toMatchObject({ status: "pending", attempts: 0 });
    await sender.flush(); // backing off: nothing sent yet
    expect(slack.messages().length).toBe(before);
    clock.now += 2_000;
    slack.fail(429);
    await sender.flush();
    expect(await statusOf(n.id)).toMatchObject({
      status: "pending",
      attempts: 2,
      lastError: "HTTP 429: rate_limited",
    });
    clock.now += 1_000; // Retry-After: 1
    await sender.flush();
    expect(
      slack
        .messages()
        .slice(before)
        .map((m) => m.text.split("|apm-on>: ")[1]),
    ).toEqual(["halted: west failed", "west restored"]);
  });

  it("gives up on a refusal, and skips when no webhook is set", async () => {
    const revoked = await notify("promoted", "promoted everywhere");
    await notifier(`${new URL(slack.url).origin}/services/T/B/revoked`).flush();
    expect(await statusOf(revoked.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: "HTTP 404: no_service",
    });
    const skipped = await notify("promoted", "promoted everywhere");
    await notifier(undefined).flush();
    expect(await statusOf(skipped.id)).toMatchObject({
      status: "skipped",
      lastError: "no webhook configured",
    });
  });
});
