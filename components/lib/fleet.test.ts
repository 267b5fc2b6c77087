import { describe, expect, it } from "vitest";
import { HEARTBEAT_STALE_AFTER_MS } from "@/lib/controller-status";
import { clusterControllers, forwarderHealth } from "./fleet";

const now = Date.parse("2026-12-01T12:00:00Z");
const beat = (
  controllerId: string,
  agoMs: number,
  extra: { isLeader?: boolean; stopped?: boolean } = {},
) => ({
  controllerId,
  version: "0.1.0",
  isLeader: extra.isLeader ?? false,
  lastSeenAt: new Date(now - agoMs).toISOString(),
  stoppedAt: extra.stopped ? new Date(now - agoMs).toISOString() : null,
});

describe("clusterControllers", () => {
  it("a cluster with a leader and a standby reports", () => {
    const c = clusterControllers([beat("a", 1000, { isLeader: true }), beat("b", 2000)], now);
    expect(c.report).toBe("reporting");
    expect(c.leader?.controllerId).toBe("a");
    expect(c.standbys.map((s) => s.controllerId)).toEqual(["b"]);
    expect(c.lastHeartbeatAt).toBe(new Date(now - 1000).toISOString());
  });

  it("a leader whose heartbeat went stale leads no more; its standby still reports", () => {
    const c = clusterControllers(
      [beat("a", HEARTBEAT_STALE_AFTER_MS + 1, { isLeader: true }), beat("b", 500)],
      now,
    );
    expect(c.report).toBe("reporting");
    expect(c.leader).toBeNull();
    expect(c.standbys.map((s) => s.controllerId)).toEqual(["b"]);
    expect(c.states.get("a")).toBe("stale");
  });

  it("a cluster whose controllers all stopped or went stale is not reporting; one never seen is 'never'", () => {
    const stopped = clusterControllers(
      [beat("a", 100, { stopped: true }), beat("b", 60_000, { isLeader: true })],
      now,
    );
    expect(stopped.report).toBe("not-reporting");
    expect(stopped.leader).toBeNull();
    expect(clusterControllers([], now)).toMatchObject({
      report: "never",
      leader: null,
      lastHeartbeatAt: null,
    });
  });
});

describe("forwarderHealth", () => {
  it.each([
    [["on", "on"], 0, "forwarding"],
    [["on", "on"], 3, "failing"],
    [["off", "off"], 0, "off"],
    [["standby", "standby"], 0, "standby"],
    [[], 0, "unknown"],
  ] as const)("%j with %i recent failures → %s", (states, failures, health) => {
    expect(forwarderHealth([...states], failures)).toBe(health);
  });
});
