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
import { loadMetadataConfig } from "./config";

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

async function decodeError(run: () => Promise<unknown>): Promise<HelmReleaseError> {
  try {
    await run();
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
  it("decodes a Secret's field (API base64 over Helm's base64) and a ConfigMap's", async () => {
    const helmText = encodeHelmRelease(release);
    expect(await decodeHelmRelease(asSecretField(helmText), true, MAX)).toMatchObject({
      name: "datadog",
      version: 3,
    });
    expect((await decodeHelmRelease(helmText, false, MAX)).chart.metadata).toEqual(release.chart.metadata);
  });

  it("falls back to raw bytes when the data is not Helm's base64", async () => {
    const raw = zlib.gzipSync(Buffer.from(JSON.stringify(release)));
    expect((await decodeHelmRelease(raw.toString("base64"), true, MAX)).name).toBe("datadog");
  });

  it("rejects each kind of bad data with a typed, specific error", async () => {
    expect((await decodeError(() => decodeHelmRelease(undefined, true, MAX))).code).toBe("missing-data");
    expect((await decodeError(() => decodeHelmRelease(asSecretField("not a release"), true, MAX))).code).toBe(
      "not-gzip",
    );
    const truncated = zlib
      .gzipSync(Buffer.from(JSON.stringify(release)))
      .subarray(0, 20)
      .toString("base64");
    expect((await decodeError(() => decodeHelmRelease(truncated, false, MAX))).code).toBe("not-gzip");
    const notJson = zlib.gzipSync(Buffer.from("{oops")).toString("base64");
    expect((await decodeError(() => decodeHelmRelease(notJson, false, MAX))).code).toBe("not-json");
    const notRelease = zlib.gzipSync(Buffer.from(JSON.stringify({ hello: "world" }))).toString("base64");
    const invalid = await decodeError(() => decodeHelmRelease(notRelease, false, MAX));
    expect(invalid.code).toBe("invalid-release");
    expect(invalid.message).toContain("name");
    let deep: unknown = {};
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const tooDeep = await decodeError(() =>
      decodeHelmRelease(encodeHelmRelease({ ...release, config: deep }), false, MAX),
    );
    expect(tooDeep.message).toMatch(/nested deeper than 100 levels/);
  });

  it("says where JSON breaks without quoting the text (it may be a secret)", async () => {
    const broken = zlib.gzipSync(Buffer.from('{"config": {"password": "hunter2"')).toString("base64");
    const error = await decodeError(() => decodeHelmRelease(broken, false, MAX));
    expect(error.code).toBe("not-json");
    expect(error.message).not.toContain("hunter2");
  });

  it("refuses a release that decompresses beyond the cap (a zip bomb) without inflating it all", async () => {
    const bomb = encodeHelmRelease({ ...release, config: { padding: "x".repeat(5 * 1024 * 1024) } });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = await decodeError(() => decodeHelmRelease(bomb, false, MAX));
    expect(error.code).toBe("too-large");
    expect(error.message).toContain(String(MAX));
    expect(error.message).toContain("FLEETDECK_METADATA_HELM_MAX_RELEASE_BYTES");
  });

  // Issue 13: ~16 KB of gzip expanding to the old 16 MiB default was decoded and sent.
  it("refuses a 16 KB gzip bomb at the default cap of 1 MiB", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024, " "), { level: 9 }).toString("base64");
    expect(bomb.length).toBeLessThan(64 * 1024);
    const { helm } = loadMetadataConfig({});
    const error = await decodeError(() => decodeHelmRelease(bomb, false, helm.maxReleaseBytes));
    expect(error.code).toBe("too-large");
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

  it("builds provided and full values with secrets redacted", async () => {
    const decoded = await decodeHelmRelease(encodeHelmRelease(release), false, MAX);
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

  // Issue 13: a Postgres check and a DATABASE_URL env entry in datadog values went out as they were.
  it("redacts a check config's password and a DATABASE_URL env entry", async () => {
    const values = {
      datadog: {
        confd: { "postgres.yaml": "init_config:\ninstances:\n  - host: db\n    password: pg-secret-1\n" },
        env: [{ name: "DATABASE_URL", value: "postgres://user:pg-secret-2@db/x" }],
      },
    };
    const decoded = await decodeHelmRelease(encodeHelmRelease({ ...release, config: values }), false, MAX);
    const info = releaseInfo(decoded, "uid-1", 3);
    for (const text of [info.providedValuesYaml, info.fullValuesYaml]) {
      expect(text).not.toContain("pg-secret-1");
      expect(text).not.toContain("pg-secret-2");
      expect(text).toContain("host: db");
    }
  });
});
