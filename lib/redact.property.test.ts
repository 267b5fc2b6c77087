// Property-based tests (fast-check) of the one redactor: every corpus shape, with any secret of
// its form, planted anywhere in any document (or inside a YAML or JSON string) is redacted; any
// JSON or text is handled without throwing and untouched, and redacting twice finds nothing
// more; secret key names are recognized in any case and with any separator; ordinary documents,
// and innocent shapes planted anywhere in them, come back exactly as they are (so redaction
// never grows a document that holds no secret).
import fc from "fast-check";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { INNOCENT_CORPUS, SECRET_CORPUS, type SecretShape } from "../test/secret-corpus";
import { isSecretKey, redact, redactText } from "./redact";

const RUNS = { numRuns: 200 };

/** A secret of the shape's form: digits for the numeric one, its own form (a token's prefix), letters and digits otherwise. */
function secretFor(shape: SecretShape): fc.Arbitrary<string> {
  if (/^\d+$/.test(shape.secret)) return fc.bigInt({ min: 10n ** 12n, max: 10n ** 15n }).map(String);
  const seed = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).map((s) => `zq${s}`);
  return shape.form ? seed.map(shape.form) : seed;
}

const planted = fc
  .constantFrom(...SECRET_CORPUS)
  .chain((shape) => secretFor(shape).map((secret) => ({ shape, secret, fragment: shape.plant(secret) })));

// Where to put it: a path of object keys and list positions through a random document.
const key = fc.string({ maxLength: 12 }).filter((k) => k !== "__proto__");
const step = fc.oneof(key, fc.nat(3));
const location = fc.array(step, { maxLength: 5 });

function plantAt(document: unknown, path: (string | number)[], fragment: unknown): unknown {
  if (path.length === 0) return fragment;
  const [head, ...rest] = path;
  if (typeof head === "number") {
    const list = Array.isArray(document) ? [...(document as unknown[])] : [];
    list[head] = plantAt(list[head], rest, fragment);
    return Array.from(list, (item) => item ?? null);
  }
  const obj =
    document && typeof document === "object" && !Array.isArray(document)
      ? { ...(document as Record<string, unknown>) }
      : {};
  Object.defineProperty(obj, head!, {
    value: plantAt(obj[head!], rest, fragment),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return obj;
}

const noLeak = (value: unknown, secret: string) => {
  const text = JSON.stringify(value) ?? "";
  expect(text).not.toContain(secret);
  expect(text).not.toContain(Buffer.from(secret).toString("base64"));
};

describe("the one redactor (fast-check)", { timeout: 120_000 }, () => {
  it("redacts every corpus shape, with any secret of its form, planted anywhere in any document", () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }),
        location,
        planted,
        (document, path, { secret, fragment }) => {
          const result = redact(plantAt(document, path, fragment));
          noLeak(result.value, secret);
          expect(result.paths.length).toBeGreaterThan(0);
        },
      ),
      RUNS,
    );
  });

  it("redacts every corpus shape held in a YAML or JSON string (a check config, a values file)", () => {
    fc.assert(
      fc.property(planted, fc.boolean(), key, ({ secret, fragment }, asJson, field) => {
        const text = asJson ? JSON.stringify(fragment, null, 2) : YAML.stringify(fragment);
        noLeak(redact({ [field || "config"]: text }).value, secret);
      }),
      RUNS,
    );
  });

  it("handles any JSON or text without throwing, leaves its input untouched, and never un-redacts", () => {
    // Text made of the pieces the rules look for, so they fire (and overlap) often.
    const piece = fc.constantFrom(
      "password",
      "token",
      "DD_API_KEY",
      "=",
      ": ",
      ":",
      " ",
      "'",
      '"',
      "\\",
      "s3cr3t99",
      "https://",
      "u:",
      "@",
      "Bearer ",
      "--token ",
      "\n",
      "- ",
      "#",
      "{",
      "}",
      "[",
      "]",
      "[redacted]",
      "-----BEGIN PRIVATE KEY-----",
      "ENC[x]",
      // the rules that read values: token prefixes, base64 PEM, webhooks, files, XML, commands
      "ghp_",
      "AKIA",
      "xoxb-",
      "0123456789abcdefABCDEFGHIJKLMNOP",
      "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t",
      "Basic ",
      "YWRtaW46aHVudGVyMg==",
      "hooks.slack.com/services/",
      "/hooks/",
      "machine ",
      "password ",
      ":5432:",
      ":*:",
      "<password>",
      "</password>",
      ' value="',
      'key="',
      "sshpass -p ",
      "curl -u ",
      "mysql -p",
      "jdbc:oracle:thin:",
      "/",
      "auth",
      "local",
    );
    const tricky = fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join(""));
    const value = fc.oneof(fc.jsonValue(), tricky, fc.dictionary(tricky, tricky, { maxKeys: 4 }));
    const markers = (v: unknown) => (JSON.stringify(v) ?? "").split("[redacted]").length;
    fc.assert(
      fc.property(value, (value) => {
        const before = JSON.stringify(value);
        const once = redact(value);
        expect(JSON.stringify(value)).toBe(before);
        expect(markers(redact(once.value).value)).toBeGreaterThanOrEqual(markers(once.value));
      }),
      RUNS,
    );
  });

  it("is idempotent on JSON documents and on planted corpus shapes: redacting again finds nothing", () => {
    const document = fc.oneof(
      fc.jsonValue(),
      fc
        .tuple(fc.jsonValue({ maxDepth: 2 }), location, planted)
        .map(([d, path, p]) => plantAt(d, path, p.fragment)),
    );
    fc.assert(
      fc.property(document, (value) => {
        const once = redact(value);
        expect(redact(once.value)).toEqual({ value: once.value, paths: [] });
      }),
      RUNS,
    );
  });

  it("is idempotent on text: redacting what was redacted changes nothing and finds nothing", () => {
    // Every corpus secret of any form, joined in any order with the rules' own pieces.
    const piece = fc.oneof(
      planted.map(({ fragment }) => JSON.stringify(fragment)),
      fc.constantFrom(
        " ",
        "\n",
        "=",
        ": ",
        "password ",
        "machine x ",
        "--token ",
        "sshpass -p ",
        "<token>",
        "</token>",
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const once = redact({ text: pieces.join("") });
        expect(redact(once.value)).toEqual({ value: once.value, paths: [] });
      }),
      RUNS,
    );
  });

  it("never changes what holds no secret: innocent shapes planted anywhere in ordinary documents", () => {
    const innocent = fc.constantFrom(...INNOCENT_CORPUS).map((shape) => shape.value);
    const ordinary = fc.jsonValue({ maxDepth: 2 }).filter((v) => redact(v).paths.length === 0);
    fc.assert(
      fc.property(ordinary, location, innocent, (document, path, shape) => {
        const value = plantAt(document, path, shape);
        const text = JSON.stringify(value);
        expect(redact(value)).toEqual({ value, paths: [] });
        expect(redactText(text)).toBe(text);
      }),
      RUNS,
    );
  });

  it("recognizes secret key names in any case and with any separator", () => {
    const secretWords = fc.constantFrom(
      ["db", "password"],
      ["api", "key"],
      ["app", "key"],
      ["client", "secret"],
      ["auth", "token"],
      ["private", "key"],
      ["database", "url"],
      ["mysql", "pass"],
      ["sentry", "dsn"],
      ["connection", "string"],
      ["password", "value"],
    );
    const join = fc.constantFrom(
      (w: string[]) => w.join("_"),
      (w: string[]) => w.join("-"),
      (w: string[]) => w.join("."),
      (w: string[]) => w.join("_").toUpperCase(),
      (w: string[]) => w.map((x, i) => (i === 0 ? x : x[0]!.toUpperCase() + x.slice(1))).join(""),
      (w: string[]) => w.map((x) => x[0]!.toUpperCase() + x.slice(1)).join(""),
    );
    const prefix = fc.constantFrom([], ["dd"], ["my", "service"]);
    fc.assert(
      fc.property(prefix, secretWords, join, (before, words, joiner) => {
        expect(isSecretKey(joiner([...before, ...words]))).toBe(true);
      }),
      RUNS,
    );
  });

  it("returns ordinary documents as they are", () => {
    // Keys and text without secret words, separators or URLs: nothing to redact.
    const word = fc.constantFrom(
      "site",
      "tags",
      "replicas",
      "image",
      "enabled",
      "env",
      "name",
      "logs",
      "port",
    );
    const text = fc.stringMatching(/^[a-z0-9 ]{0,20}$/);
    const ordinary = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        text,
        fc.integer(),
        fc.boolean(),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(word, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(ordinary, (value) => {
        expect(redact(value)).toEqual({ value, paths: [] });
      }),
      RUNS,
    );
  });
});
