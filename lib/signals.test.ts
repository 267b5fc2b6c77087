import { describe, expect, it } from "vitest";
import { parseSignal } from "./signals";

describe("parseSignal (Remote Config experiment payload)", () => {
  it("maps each action to its command", () => {
    expect(
      parseSignal(
        JSON.stringify({
          action: "startExperiment",
          experiment_id: "e1",
          config: { features: { apm: { enabled: true } } },
        }),
      ),
    ).toEqual({
      ok: true,
      kind: "start-experiment",
      payload: { experimentId: "e1", config: { features: { apm: { enabled: true } } } },
    });
    expect(parseSignal('{"action":"stopExperiment","experiment_id":"e1"}')).toEqual({
      ok: true,
      kind: "stop-experiment",
      payload: { experimentId: "e1" },
    });
    expect(parseSignal('{"action":"promoteExperiment","experiment_id":"e1"}')).toEqual({
      ok: true,
      kind: "promote-experiment",
      payload: { experimentId: "e1" },
    });
  });

  it("tells a regular config (no action) from an experiment signal", () => {
    expect(parseSignal('{"experiment_id":"e1","config":{}}')).toMatchObject({
      ok: false,
      error: { code: "not-an-experiment-signal" },
    });
  });

  it("rejects unknown actions, empty ids, a start without config, and non-JSON", () => {
    expect(parseSignal('{"action":"pauseExperiment","experiment_id":"e1"}')).toMatchObject({
      ok: false,
      error: { code: "unknown-action" },
    });
    expect(parseSignal('{"action":"stopExperiment","experiment_id":""}')).toMatchObject({
      ok: false,
      error: { code: "invalid", message: expect.stringContaining("must not be empty") },
    });
    expect(parseSignal('{"action":"startExperiment","experiment_id":"e1"}')).toMatchObject({
      ok: false,
      error: { code: "invalid", message: expect.stringContaining("config") },
    });
    expect(parseSignal("{not json")).toMatchObject({ ok: false, error: { code: "not-json" } });
    expect(parseSignal("[1,2]")).toMatchObject({ ok: false, error: { code: "invalid" } });
    expect(parseSignal("null")).toMatchObject({ ok: false, error: { code: "invalid" } });
  });
});
