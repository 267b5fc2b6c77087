// The intake client against the fake intake: success, refusals, a stalled intake, none at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../testing/processes";
import { startFakeIntake, type FakeIntake } from "../../testing/fakeintake/server";
import { IntakeClient, IntakeError } from "./intake-client";

let intake: FakeIntake;
beforeAll(async () => {
  intake = await startFakeIntake();
});
afterAll(() => intake.close());

async function failure(call: Promise<unknown>): Promise<IntakeError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(IntakeError);
    return error as IntakeError;
  }
  throw new Error("expected the send to fail");
}

describe("IntakeClient", () => {
  it("posts JSON with upstream's headers and reports status and latency", async () => {
    intake.reset();
    const client = new IntakeClient(`${intake.url}/api/v1/metadata`, "k-123456");
    const answer = await client.send('{"uuid":"u"}');
    expect(answer.httpStatus).toBe(202);
    expect(answer.latencyMs).toBeGreaterThan(0);
    expect(intake.records()[0]!.headers).toMatchObject({
      "dd-api-key": "[redacted]",
      "content-type": "application/json",
      accept: "application/json",
      "user-agent": expect.stringMatching(/^fleetdeck\//),
    });
    client.close();
  });

  it("fails on a 4xx or 5xx answer, with the status and an excerpt, never the key", async () => {
    intake.reset();
    const client = new IntakeClient(`${intake.url}/api/v1/metadata`, "k-123456");
    intake.fail({ status: 429 });
    const error = await failure(client.send("{}"));
    expect(error.httpStatus).toBe(429);
    expect(error.message).toBe(
      'intake answered HTTP 429: {"errors":["fake intake: injected failure (429)"]}',
    );
    expect(error.message).not.toContain("k-123456");
    client.close();
  });

  it("gives up on an intake that does not answer in time, and on one that is not there", async () => {
    intake.reset();
    intake.fail({ delayMs: 1000 });
    const slow = new IntakeClient(`${intake.url}/api/v1/metadata`, "k", 150);
    const timeout = await failure(slow.send("{}"));
    expect(timeout.message).toBe("intake did not answer within 150 ms");
    expect(timeout.httpStatus).toBeUndefined();
    slow.close();
    const missing = new IntakeClient(`http://127.0.0.1:${await freePort()}/api/v1/metadata`, "k");
    expect((await failure(missing.send("{}"))).message).toBe("intake unreachable: ECONNREFUSED");
    missing.close();
  });

  it("stops when its signal aborts", async () => {
    intake.reset();
    intake.fail({ delayMs: 1000 });
    const client = new IntakeClient(`${intake.url}/api/v1/metadata`, "k");
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    expect((await failure(client.send("{}", abort.signal))).message).toBe("send aborted");
    client.close();
  });
});
