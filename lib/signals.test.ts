import { describe, expect, it } from "vitest";
import { SECRET_CORPUS } from "../test/secret-corpus";
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

  // Issue 13: the signal endpoint stored a literal secret in the Command row before the
  // controller rejected it. Now the parser refuses it, naming where, never echoing it.
  it("refuses a start whose config holds a literal secret, for every corpus shape", () => {
    for (const shape of SECRET_CORPUS) {
      const body = JSON.stringify({
        action: "startExperiment",
        experiment_id: "e1",
        config: { features: { corpus: shape.plant(shape.secret) } },
      });
      const result = parseSignal(body);
      expect(result, shape.name).toMatchObject({
        ok: false,
        error: { code: "literal-secret", message: expect.stringContaining("features.corpus") },
      });
      if (!result.ok) expect(result.error.message).not.toContain(shape.secret);
    }
    expect(
      parseSignal(
        JSON.stringify({
          action: "startExperiment",
          experiment_id: "e1",
          config: {
            override: {
              nodeAgent: {
                env: [{ name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
              },
            },
          },
        }),
      ).ok,
    ).toBe(true);
  });

  it("says where a body stops being JSON without quoting it", () => {
    const result = parseSignal('{"action":"startExperiment","config":{"password":"hunter2"');
    expect(result).toMatchObject({ ok: false, error: { code: "not-json" } });
    if (!result.ok) expect(result.error.message).not.toContain("hunter2");
  });
});
