// Property-based fuzzing (fast-check; a generous timeout since the machine may be shared) of the Remote Config signal parser: whatever the body, parseSignal
// returns a result (ok, or a typed error with a specific message) and never throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { experimentId } from "./commands";
import { parseSignal, SIGNAL_ACTIONS } from "./signals";

const ERROR_CODES = ["not-json", "not-an-experiment-signal", "unknown-action", "invalid"];

function expectTyped(body: string) {
  const result = parseSignal(body);
  if (result.ok) {
    expect(Object.values(SIGNAL_ACTIONS)).toContain(result.kind);
    expect(experimentId.safeParse(result.payload.experimentId).success).toBe(true);
  } else {
    expect(ERROR_CODES).toContain(result.error.code);
    expect(result.error.message.length).toBeGreaterThan(0);
  }
  return result;
}

// Keys that have tripped JavaScript parsers before (prototype pollution, accessors).
const nastyKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty");
const key = fc.oneof(fc.string(), nastyKey, fc.constantFrom("action", "experiment_id", "config"));
const action = fc.oneof(fc.constantFrom(...Object.keys(SIGNAL_ACTIONS)), fc.jsonValue());
const signalLike = fc.record(
  {
    action,
    experiment_id: fc.oneof(fc.string(), fc.jsonValue()),
    config: fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom("global", "features", "override", "nodeAgent"), fc.jsonValue()),
    ),
  },
  { requiredKeys: [] },
);

describe("parseSignal never throws (fast-check)", { timeout: 60_000 }, () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (body) => void expectTyped(body)),
      { numRuns: 500 },
    );
  });

  it("on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => void expectTyped(JSON.stringify(json))),
      {
        numRuns: 500,
      },
    );
  });

  it("on objects shaped like signals, with hostile keys mixed in", () => {
    fc.assert(
      fc.property(signalLike, fc.dictionary(key, fc.jsonValue(), { maxKeys: 3 }), (signal, extra) => {
        const body = JSON.stringify({ ...extra, ...signal });
        const result = expectTyped(body);
        // A body that validates is the experiment its fields name, nothing else.
        if (result.ok) expect(result.payload.experimentId).toBe((signal.experiment_id as string).trim());
      }),
      { numRuns: 400 },
    );
  });

  it("on a __proto__ key in the JSON text (JSON.parse makes it an own property)", () => {
    const result = expectTyped('{"action":"stopExperiment","experiment_id":"e1","__proto__":{"x":1}}');
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("on deeply nested and truncated JSON", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat(), (depth, cut) => {
        const body = `{"action":"startExperiment","experiment_id":"e","config":{"global":${"[".repeat(depth)}${"]".repeat(depth)}}}`;
        expectTyped(body);
        expectTyped(body.slice(0, cut % body.length));
      }),
      { numRuns: 100 },
    );
  });
});
