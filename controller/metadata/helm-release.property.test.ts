// Property-based fuzzing of the Helm release decoder: whatever a Secret or ConfigMap holds,
// decodeHelmRelease returns a release or throws a HelmReleaseError with its code; nothing else.
import zlib from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeHelmRelease, encodeHelmRelease, HelmReleaseError } from "./helm-release";

const CODES = ["missing-data", "not-gzip", "too-large", "not-json", "invalid-release"];
const MAX = 64 * 1024;

async function decodeOrTypedError(
  field: string | undefined,
  fromSecret: boolean,
  maxBytes = MAX,
): Promise<string> {
  try {
    const release = await decodeHelmRelease(field, fromSecret, maxBytes);
    expect(typeof release.name).toBe("string");
    expect(typeof release.chart.metadata.name).toBe("string");
    return "ok";
  } catch (error) {
    expect(error).toBeInstanceOf(HelmReleaseError);
    expect(CODES).toContain((error as HelmReleaseError).code);
    expect((error as Error).message).toMatch(/\S/);
    return (error as HelmReleaseError).code;
  }
}

const asSecret = (helmText: string) => Buffer.from(helmText, "latin1").toString("base64");
const releaseLike = fc.record(
  {
    name: fc.oneof(fc.string(), fc.jsonValue()),
    namespace: fc.oneof(fc.string(), fc.jsonValue()),
    version: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
    config: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
    chart: fc.oneof(
      fc.record(
        {
          metadata: fc.oneof(
            fc.record(
              { name: fc.string(), version: fc.string(), appVersion: fc.string() },
              { requiredKeys: [] },
            ),
            fc.jsonValue(),
          ),
          values: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);

describe("decodeHelmRelease only throws HelmReleaseError (fast-check)", { timeout: 60_000 }, () => {
  it("on arbitrary text, as a ConfigMap or a Secret holds it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(fc.string({ unit: "binary" })), fc.boolean(), async (field, fromSecret) => {
        await decodeOrTypedError(field ?? undefined, fromSecret);
      }),
      { numRuns: 400 },
    );
  });

  it("on gzip of arbitrary bytes and arbitrary JSON", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "")),
        ),
        fc.boolean(),
        async (bytes, fromSecret) => {
          const helmText = zlib.gzipSync(bytes).toString("base64");
          await decodeOrTypedError(fromSecret ? asSecret(helmText) : helmText, fromSecret);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("on objects shaped like releases", async () => {
    await fc.assert(
      fc.asyncProperty(releaseLike, fc.boolean(), async (release, fromSecret) => {
        const helmText = encodeHelmRelease(release);
        await decodeOrTypedError(fromSecret ? asSecret(helmText) : helmText, fromSecret);
      }),
      { numRuns: 500 },
    );
  });

  it("on a valid release with bytes flipped or cut off", async () => {
    const valid = encodeHelmRelease({
      name: "datadog",
      namespace: "monitoring",
      version: 2,
      config: { datadog: { site: "datadoghq.eu" } },
      chart: { metadata: { name: "datadog", version: "3.70.0", appVersion: "7.55.0" }, values: {} },
    });
    expect(await decodeOrTypedError(valid, false)).toBe("ok");
    const raw = Buffer.from(valid, "base64");
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(), async (at, xor, cut) => {
        const flipped = Buffer.from(raw);
        flipped[at % flipped.length]! ^= xor;
        await decodeOrTypedError(flipped.toString("base64"), false);
        await decodeOrTypedError(raw.subarray(0, cut % raw.length).toString("base64"), false);
      }),
      { numRuns: 500 },
    );
  });

  it("on a gzip bomb: too-large, not an out-of-memory crash", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)).toString("base64");
    expect(await decodeOrTypedError(bomb, false, 1024 * 1024)).toBe("too-large");
  });
});
