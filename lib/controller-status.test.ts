import { describe, expect, it } from "vitest";
import { HEARTBEAT_STALE_AFTER_MS, controllerState } from "./controller-status";

describe("controllerState", () => {
  const now = Date.parse("2026-11-22T12:00:00Z");
  it("is running while heartbeats are fresh", () => {
    expect(controllerState({ lastSeenAt: new Date(now - 2000), stoppedAt: null }, now)).toBe("running");
  });
  it("is stale once no heartbeat came for longer than the threshold", () => {
    expect(
      controllerState({ lastSeenAt: new Date(now - HEARTBEAT_STALE_AFTER_MS - 1), stoppedAt: null }, now),
    ).toBe("stale");
  });
  it("is stopped after a clean shutdown, however recent", () => {
    expect(controllerState({ lastSeenAt: new Date(now), stoppedAt: new Date(now) }, now)).toBe("stopped");
  });
});
