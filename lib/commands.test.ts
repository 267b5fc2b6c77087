import { describe, expect, it } from "vitest";
import { COMMAND_KINDS, parseCommand } from "./commands";

describe("parseCommand", () => {
  it("accepts a valid command of every kind", () => {
    const examples: Record<string, [string, unknown]> = {
      ping: ["", {}],
      "start-experiment": [
        "datadog/datadog",
        {
          experimentId: "exp-1",
          config: { features: { apm: { enabled: false } } },
          timeoutSeconds: 600,
          healthGate: { enabled: true, thresholdPercent: 20, graceSeconds: 30 },
        },
      ],
      "stop-experiment": ["datadog/datadog", { experimentId: "exp-1" }],
      "promote-experiment": ["datadog/datadog", { experimentId: "exp-1" }],
      "restore-revision": ["datadog/datadog", { revision: "datadog-0123456789" }],
      "enable-spot": ["shop/checkout", { kind: "Deployment" }],
      "disable-spot": ["shop/checkout", { kind: "StatefulSet", minutes: 30 }],
    };
    expect(Object.keys(examples).sort()).toEqual([...COMMAND_KINDS].sort());
    for (const [kind, [target, payload]] of Object.entries(examples)) {
      expect(parseCommand(kind, target, payload), kind).toMatchObject({ ok: true, kind });
    }
  });

  it("health gate settings: each optional, bounded, no unknown field", () => {
    const start = (healthGate: unknown) =>
      parseCommand("start-experiment", "ns/a", {
        experimentId: "e",
        config: { global: { logLevel: "debug" } },
        healthGate,
      });
    expect(start({})).toMatchObject({ ok: true });
    expect(start({ graceSeconds: 20 })).toMatchObject({
      ok: true,
      payload: { healthGate: { graceSeconds: 20 } },
    });
    expect(start({ thresholdPercent: 100 })).toEqual({
      ok: false,
      error:
        "invalid start-experiment payload: healthGate.thresholdPercent: at most 99 % (to turn the gate off, set enabled: false)",
    });
    expect(start({ graceSeconds: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining("healthGate.graceSeconds"),
    });
    expect(start({ grace: 20 })).toMatchObject({ ok: false, error: expect.stringContaining("grace") });
    expect(start({ enabled: "no" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("healthGate.enabled"),
    });
  });

  it("names the problem of a bad command", () => {
    expect(parseCommand("reboot", "", {})).toEqual({ ok: false, error: 'unknown command kind "reboot"' });
    expect(parseCommand("ping", "default/x", {})).toEqual({ ok: false, error: "ping takes no target" });
    expect(parseCommand("stop-experiment", "no-slash", { experimentId: "e" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("expected namespace/name"),
    });
    expect(parseCommand("stop-experiment", "ns/name", { experimentId: "" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("experimentId: experiment id must not be empty"),
    });
    expect(parseCommand("disable-spot", "shop/web", { kind: "Deployment", minutes: 0 })).toMatchObject({
      ok: false,
      error: expect.stringContaining("minutes: at least 1 minute"),
    });
    expect(parseCommand("start-experiment", "ns/a", { experimentId: "e", config: {} })).toMatchObject({
      ok: false,
      error: expect.stringContaining("at least one of global, features, override"),
    });
    expect(
      parseCommand("start-experiment", "ns/a", { experimentId: "e", config: { status: {} } }),
    ).toMatchObject({ ok: false, error: expect.stringContaining('Unrecognized key: "status"') });
    expect(parseCommand("ping", "", { extra: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining('Unrecognized key: "extra"'),
    });
  });
});
