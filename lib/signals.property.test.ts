// Property-based fuzzing (fast-check; a generous timeout since the machine may be shared) of the Remote Config signal parser: whatever the body, parseSignal
// returns a result (ok, or a typed error with a specific message) and never throws; every
// well-formed signal is accepted.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { literalSecretPaths } from "./agents";
import { experimentId } from "./commands";
import { parseSignal, SIGNAL_ACTIONS } from "./signals";

const ERROR_CODES = ["not-json", "not-an-experiment-signal", "unknown-action", "invalid", "literal-secret"];

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

// Well-formed signals, so the properties also see bodies that validate (random fields almost
// never do): ids the experiment id rule accepts, padded with whitespace it trims; a start's
// config is a non-empty partial spec, a stop's or promote's config anything or nothing.
const validId = fc
  .tuple(
    fc.constantFrom("", " ", "\t"),
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/),
    fc.constantFrom("", " ", "\n"),
  )
  .map(([before, id, after]) => before + id + after);
// No "__proto__" key here: the parser drops it (the hostile-keys property covers that), so a
// config holding one would not come back as sent.
const specSection = fc.dictionary(
  fc.string().filter((k) => k !== "__proto__"),
  fc.jsonValue(),
  { maxKeys: 3 },
);
const validSignal = fc.oneof(
  fc.record({
    action: fc.constant("startExperiment" as const),
    experiment_id: validId,
    config: fc
      .record({ global: specSection, features: specSection, override: specSection }, { requiredKeys: [] })
      .filter((spec) => Object.keys(spec).length > 0),
  }),
  fc.record(
    {
      action: fc.constantFrom("stopExperiment" as const, "promoteExperiment" as const),
      experiment_id: validId,
      config: fc.jsonValue(),
    },
    { requiredKeys: ["action", "experiment_id"] },
  ),
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

  it("accepts every well-formed signal as the command its action names (unless a start's config holds a secret)", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(validSignal, (signal) => {
        const result = expectTyped(JSON.stringify(signal));
        if (signal.action === "startExperiment" && literalSecretPaths(signal.config).length > 0) {
          expect(result).toMatchObject({ ok: false, error: { code: "literal-secret" } });
          refused++;
          return;
        }
        expect(result).toMatchObject({ ok: true, kind: SIGNAL_ACTIONS[signal.action] });
        if (!result.ok) return;
        expect(result.payload.experimentId).toBe(signal.experiment_id.trim());
        // Only a start carries its config (as sent); a stop or promote drops whatever came along.
        expect(result.payload.config).toEqual(
          signal.action === "startExperiment" ? JSON.parse(JSON.stringify(signal.config)) : undefined,
        );
        accepted++;
      }),
      { numRuns: 300 },
    );
    expect(accepted + refused).toBe(300);
    expect(accepted).toBeGreaterThan(250);
  });

  it("on objects shaped like signals, with hostile keys mixed in", () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(
        fc.oneof(signalLike, validSignal),
        fc.dictionary(key, fc.jsonValue(), { maxKeys: 3 }),
        (signal, extra) => {
          const body = JSON.stringify({ ...extra, ...signal });
          const result = expectTyped(body);
          // A body that validates is the experiment its fields name, nothing else.
          if (result.ok)
            expect(result.payload.experimentId).toBe((JSON.parse(body).experiment_id as string).trim());
          seen[result.ok ? "accepted" : "rejected"]++;
        },
      ),
      { numRuns: 400 },
    );
    // Both sides of the parser ran: valid bodies were accepted, hostile ones refused.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
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
