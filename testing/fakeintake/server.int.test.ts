// The fake intake itself: what it records, how it fails on demand, and its HTTP control API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeIntake, type FakeIntake, type IntakeRecord } from "./server";

let intake: FakeIntake;
beforeAll(async () => {
  intake = await startFakeIntake();
});
afterAll(() => intake.close());

const post = (body: string, headers: Record<string, string> = { "Dd-Api-Key": "secret-key-123" }) =>
  fetch(`${intake.url}/api/v1/metadata`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });

describe("fake intake", () => {
  it("accepts metadata with 202 and records headers (key redacted) and body", async () => {
    intake.reset();
    const res = await post('{"uuid":"u1","datadog_operator_crd_metadata":{"crd_name":"a"}}');
    expect(res.status).toBe(202);
    const [record] = intake.records();
    expect(record).toMatchObject({
      id: expect.any(Number),
      method: "POST",
      path: "/api/v1/metadata",
      status: 202,
      body: { uuid: "u1", datadog_operator_crd_metadata: { crd_name: "a" } },
    });
    expect(record!.headers["dd-api-key"]).toBe("[redacted]");
    expect(record!.headers["content-type"]).toBe("application/json");
    expect(JSON.stringify(intake.records())).not.toContain("secret-key-123");
    // The same over HTTP.
    const served = (await (await fetch(`${intake.url}/fakeintake/records`)).json()) as IntakeRecord[];
    expect(served).toEqual(intake.records());
    await post("{}");
    const newer = (await (
      await fetch(`${intake.url}/fakeintake/records?after=${record!.id}`)
    ).json()) as IntakeRecord[];
    expect(newer.map((r) => r.id)).toEqual([record!.id + 1]);
  });

  it("answers 403 without an API key and 400 for a body that is not JSON, as the real intake", async () => {
    intake.reset();
    expect((await post("{}", {})).status).toBe(403);
    expect((await post("{nope")).status).toBe(400);
    expect(intake.records().map((r) => r.status)).toEqual([403, 400]);
    expect(intake.delivered()).toEqual([]);
  });

  it("fails the next N requests with a status, after a delay, when told to over HTTP", async () => {
    intake.reset();
    const armed = await fetch(`${intake.url}/fakeintake/fail`, {
      method: "POST",
      body: JSON.stringify({ status: 503, times: 2, delayMs: 150 }),
    });
    expect(armed.status).toBe(200);
    const started = Date.now();
    expect((await post("{}")).status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await post("{}")).status).toBe(503);
    expect((await post("{}")).status).toBe(202);
    expect(intake.records().map((r) => r.status)).toEqual([503, 503, 202]);
  });

  it("can delay without failing, refuses a malformed rule, and resets", async () => {
    intake.reset();
    intake.fail({ delayMs: 100 });
    const started = Date.now();
    expect((await post("{}")).status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    const bad = await fetch(`${intake.url}/fakeintake/fail`, { method: "POST", body: '{"status": 42}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("status");
    intake.fail({ status: 500, times: 5 });
    expect((await fetch(`${intake.url}/fakeintake/reset`, { method: "POST" })).status).toBe(200);
    expect(intake.records()).toEqual([]);
    expect((await post("{}")).status).toBe(202);
  });

  it("tells listeners about each record as it arrives", async () => {
    intake.reset();
    const seen: number[] = [];
    const off = intake.onRecord((r) => seen.push(r.id));
    await post("{}");
    off();
    await post("{}");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(intake.records()[0]!.id);
  });
});
