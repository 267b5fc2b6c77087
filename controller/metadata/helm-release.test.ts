import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  decodeHelmRelease,
  encodeHelmRelease,
  HelmReleaseError,
  mergeValues,
  parseReleaseObjectName,
  releaseInfo,
  toYaml,
} from "./helm-release";

const release = {
  name: "datadog",
  namespace: "monitoring",
  version: 3,
  info: { status: "deployed" },
  config: { datadog: { apiKey: "0123456789abcdef0123456789abcdef", site: "datadoghq.eu", tags: ["a", "b"] } },
  chart: {
    metadata: { name: "datadog", version: "3.70.0", appVersion: "7.55.0" },
    values: {
      datadog: { apiKey: "", appKey: "", site: "datadoghq.com", logLevel: "info" },
      agents: { enabled: true },
    },
  },
};

const asSecretField = (helmText: string) => Buffer.from(helmText).toString("base64");
const MAX = 1024 * 1024;

function decodeError(run: () => unknown): HelmReleaseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HelmReleaseError);
    return error as HelmReleaseError;
  }
  throw new Error("expected a HelmReleaseError");
}

describe("Helm release storage names", () => {
  it("parses release and revision, and refuses other names", () => {
    expect(parseReleaseObjectName("sh.helm.release.v1.datadog.v12")).toEqual({
      release: "datadog",
      revision: 12,
    });
    expect(parseReleaseObjectName("sh.helm.release.v1.my.rel.v1")).toEqual({
      release: "my.rel",
      revision: 1,
    });
    expect(parseReleaseObjectName("sh.helm.release.v1.datadog")).toBeUndefined();
    expect(parseReleaseObjectName("sh.helm.release.v1..v1")).toBeUndefined();
    expect(parseReleaseObjectName("datadog.v1")).toBeUndefined();
  });
});

describe("decodeHelmRelease", () => {
  it("decodes a Secret's field (API base64 over Helm's base64) and a ConfigMap's", () => {
    const helmText = encodeHelmRelease(release);
    expect(decodeHelmRelease(asSecretField(helmText), true, MAX)).toMatchObject({
      name: "datadog",
      version: 3,
    });
    expect(decodeHelmRelease(helmText, false, MAX).chart.metadata).toEqual(release.chart.metadata);
  });

  it("falls back to raw bytes when the data is not Helm's base64", () => {
    const raw = zlib.gzipSync(Buffer.from(JSON.stringify(release)));
    expect(decodeHelmRelease(raw.toString("base64"), true, MAX).name).toBe("datadog");
  });

  it("rejects each kind of bad data with a typed, specific error", () => {
    expect(decodeError(() => decodeHelmRelease(undefined, true, MAX)).code).toBe("missing-data");
    expect(decodeError(() => decodeHelmRelease(asSecretField("not a release"), true, MAX)).code).toBe(
      "not-gzip",
    );
    const truncated = zlib
      .gzipSync(Buffer.from(JSON.stringify(release)))
      .subarray(0, 20)
      .toString("base64");
    expect(decodeError(() => decodeHelmRelease(truncated, false, MAX)).code).toBe("not-gzip");
    const notJson = zlib.gzipSync(Buffer.from("{oops")).toString("base64");
    expect(decodeError(() => decodeHelmRelease(notJson, false, MAX)).code).toBe("not-json");
    const notRelease = zlib.gzipSync(Buffer.from(JSON.stringify({ hello: "world" }))).toString("base64");
    const invalid = decodeError(() => decodeHelmRelease(notRelease, false, MAX));
    expect(invalid.code).toBe("invalid-release");
    expect(invalid.message).toContain("name");
  });

  it("refuses a release that decompresses beyond the cap (a zip bomb) without inflating it all", () => {
    const bomb = encodeHelmRelease({ ...release, config: { padding: "x".repeat(5 * 1024 * 1024) } });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = decodeError(() => decodeHelmRelease(bomb, false, MAX));
    expect(error.code).toBe("too-large");
    expect(error.message).toContain(String(MAX));
  });
});

describe("values", () => {
  it("deep-merges chart defaults with user values, the user's winning", () => {
    expect(
      mergeValues({ a: { b: 1, c: 2 }, l: [1, 2], s: "x" }, { a: { c: 3, d: 4 }, l: [9], n: null }),
    ).toEqual({
      a: { b: 1, c: 3, d: 4 },
      l: [9],
      s: "x",
      n: null,
    });
  });

  it("writes YAML as Go's yaml.v2 does: sorted keys, unindented sequences", () => {
    expect(toYaml({ b: 1, a: { d: ["x", "y"], c: true } })).toBe("a:\n  c: true\n  d:\n  - x\n  - y\nb: 1\n");
    expect(toYaml({})).toBe("{}\n");
  });

  it("builds provided and full values with secrets redacted", () => {
    const decoded = decodeHelmRelease(encodeHelmRelease(release), false, MAX);
    const info = releaseInfo(decoded, "uid-1", 3);
    expect(info).toMatchObject({
      releaseName: "datadog",
      namespace: "monitoring",
      chartName: "datadog",
      chartVersion: "3.70.0",
      appVersion: "7.55.0",
      storageUid: "uid-1",
      revision: 3,
    });
    expect(info.providedValuesYaml).toBe(
      'datadog:\n  apiKey: "[redacted]"\n  site: datadoghq.eu\n  tags:\n  - a\n  - b\n',
    );
    expect(info.fullValuesYaml).toBe(
      'agents:\n  enabled: true\ndatadog:\n  apiKey: "[redacted]"\n  appKey: ""\n  logLevel: info\n  site: datadoghq.eu\n  tags:\n  - a\n  - b\n',
    );
    expect(info.fullValuesYaml).not.toContain("0123456789abcdef");
  });
});
