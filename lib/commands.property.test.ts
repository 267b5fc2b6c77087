// Property-based fuzzing of the Command payload schemas: parseCommand takes whatever a process
// with the SQLite file could have written and answers ok or a specific error; it never throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMAND_KINDS, commandPayloads, parseCommand } from "./commands";

const kind = fc.oneof(fc.constantFrom(...COMMAND_KINDS), fc.string());
const target = fc.oneof(
  fc.string(),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9-]{0,70}$/), fc.stringMatching(/^[a-z0-9.-]{0,260}$/))
    .map(([n, m]) => `${n}/${m}`),
  fc.constant(""),
);
const payloadField = fc.constantFrom(
  "note",
  "experimentId",
  "config",
  "timeoutSeconds",
  "revision",
  "kind",
  "minutes",
  "__proto__",
  "constructor",
);
const payload = fc.oneof(
  fc.anything(),
  fc.dictionary(payloadField, fc.oneof(fc.anything(), fc.integer(), fc.string()), { maxKeys: 4 }),
  // What the JSON column holds: parsed JSON text.
  fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown),
);

describe("parseCommand never throws (fast-check)", { timeout: 60_000 }, () => {
  it("answers ok with a payload its schema accepts, or a specific error", () => {
    fc.assert(
      fc.property(kind, target, payload, (k, t, p) => {
        let result: ReturnType<typeof parseCommand> | undefined;
        expect(() => (result = parseCommand(k, t, p))).not.toThrow();
        if (result!.ok) {
          expect(COMMAND_KINDS).toContain(result!.kind);
          // The parsed payload is stable: validating it again gives the same thing.
          expect(commandPayloads[result!.kind].parse(result!.payload)).toEqual(result!.payload);
        } else {
          expect(result!.error).toMatch(/\S/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("error messages name the kind and the problem", () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_KINDS), fc.anything(), (k, p) => {
        const result = parseCommand(k, k === "ping" ? "" : "ns/name", p);
        if (!result.ok) expect(result.error).toContain(k);
      }),
      { numRuns: 400 },
    );
  });
});
