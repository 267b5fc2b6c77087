// The runner with an elector of its own (the fleet driver's is a row of the store): leader-only
// runnables run exactly while the elector says this process leads, the others all the time, and
// stop() stops leading (and releases) before anything else stops.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { Runner, type LeadershipCallbacks, type ProbeServer, type Runnable } from "./runner";

const log = pino({ level: "silent" });

/** Probes that serve nothing: this test asks the runner, not HTTP. */
const probes = (): ProbeServer => ({
  addReadinessCheck: () => undefined,
  addDetails: () => undefined,
  addRoute: () => undefined,
  report: async () => ({ ok: true, checks: [] }),
  listen: async (host, port) => ({ host, port }),
  close: async () => undefined,
});

/** An elector a test drives by hand: lead() and lose() as the lease would. */
function handElector(events: string[]) {
  let callbacks: LeadershipCallbacks | undefined;
  let leading = false;
  return {
    factory: (c: LeadershipCallbacks) => {
      callbacks = c;
      return {
        start: () => void events.push("elector start"),
        stop: async () => {
          events.push("elector stop");
          if (leading) {
            leading = false;
            await callbacks!.onStoppedLeading();
          }
        },
        isLeader: () => leading,
        currentLeader: () => (leading ? "me" : "other"),
      };
    },
    lead: async () => {
      leading = true;
      await callbacks!.onStartedLeading();
    },
    lose: async () => {
      leading = false;
      await callbacks!.onStoppedLeading();
    },
  };
}

describe("Runner with an elector", () => {
  it("runs leader-only runnables only while leading, and stops leading first", async () => {
    const events: string[] = [];
    const runnable = (name: string, leaderOnly: boolean): Runnable => ({
      name,
      leaderOnly,
      start: () => void events.push(`start ${name}`),
      stop: () => void events.push(`stop ${name}`),
    });
    const elector = handElector(events);
    const runner = new Runner({ log, probes: probes(), identity: "me", elector: elector.factory });
    runner.add(runnable("work", true));
    runner.add(runnable("shared", false));
    await runner.start();
    expect(runner.isLeader()).toBe(false);
    expect(events).toEqual(["start shared", "elector start"]);

    await elector.lead();
    expect(runner.isLeader()).toBe(true);
    await elector.lose();
    await elector.lead();
    expect(events.slice(2)).toEqual(["start work", "stop work", "start work"]);

    events.length = 0;
    await runner.stop();
    expect(events).toEqual(["elector stop", "stop work", "stop shared"]);
  });

  it("without an elector leads from its start", async () => {
    const runner = new Runner({ log, probes: probes(), identity: "me" });
    let runs = 0;
    runner.every("work", 60_000, () => void runs++, { leaderOnly: true, initialRun: true });
    await runner.start();
    expect(runner.isLeader()).toBe(true);
    await runner.stop();
    expect(runs).toBe(1);
  });
});
