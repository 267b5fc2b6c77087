import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { applyDefaults, SPEC_DEFAULTS } from "./defaults";
import { hashDefaultedSpec, hashOfRevisionName, REVISION_HASH_LENGTH, revisionName, specHash } from "./hash";
import { keepSet } from "./revisions";

describe("spec hash and revision names", () => {
  it("is deterministic, 10 hex characters, and independent of key order", () => {
    const a = { features: { apm: { enabled: true } }, global: { site: "datadoghq.eu", tags: ["a", "b"] } };
    const b = { global: { tags: ["a", "b"], site: "datadoghq.eu" }, features: { apm: { enabled: true } } };
    expect(specHash(a)).toBe(specHash(a));
    expect(specHash(a)).toBe(specHash(b));
    expect(specHash(a)).toMatch(new RegExp(`^[0-9a-f]{${REVISION_HASH_LENGTH}}$`));
  });

  it("differs for different specs, including array order", () => {
    expect(specHash({ features: { apm: { enabled: true } } })).not.toBe(
      specHash({ features: { apm: { enabled: false } } }),
    );
    expect(specHash({ global: { tags: ["a", "b"] } })).not.toBe(specHash({ global: { tags: ["b", "a"] } }));
  });

  it("is the first 10 hex characters of md5 over the defaulted spec's sorted-key JSON", () => {
    const defaulted = applyDefaults({});
    const sorted = JSON.stringify({
      features: {
        apm: { enabled: false },
        liveProcessCollection: { enabled: false },
        logCollection: { enabled: false },
        npm: { enabled: false },
      },
      global: { logLevel: "info", registry: "gcr.io/datadoghq", site: "datadoghq.com" },
    });
    expect(hashDefaultedSpec(defaulted)).toBe(createHash("md5").update(sorted).digest("hex").slice(0, 10));
  });

  it("hashes the defaulted spec: spelling a default out changes nothing", () => {
    expect(specHash({})).toBe(
      specHash({ global: { site: "datadoghq.com" }, features: { apm: { enabled: false } } }),
    );
    expect(specHash({})).not.toBe(specHash({ global: { site: "datadoghq.eu" } }));
  });

  it("names revisions <agent>-<hash> and recognizes only this agent's names", () => {
    expect(revisionName("datadog-agent", "abcdef1234")).toBe("datadog-agent-abcdef1234");
    expect(hashOfRevisionName("datadog-agent", "datadog-agent-abcdef1234")).toBe("abcdef1234");
    expect(hashOfRevisionName("datadog", "datadog-agent-abcdef1234")).toBeUndefined();
    expect(hashOfRevisionName("datadog-agent", "datadog-agent-xyz")).toBeUndefined();
  });
});

describe("defaults", () => {
  it("fill what is missing, keep what is set, and are idempotent", () => {
    const spec = { global: { site: "datadoghq.eu" }, features: { apm: { enabled: true } } };
    const once = applyDefaults(spec);
    expect(once.global).toMatchObject({
      site: "datadoghq.eu",
      logLevel: "info",
      registry: "gcr.io/datadoghq",
    });
    expect(once.features).toMatchObject({ apm: { enabled: true }, npm: { enabled: false } });
    expect(applyDefaults(once)).toEqual(once);
    expect(spec).toEqual({ global: { site: "datadoghq.eu" }, features: { apm: { enabled: true } } }); // not mutated
    expect(SPEC_DEFAULTS.length).toBeGreaterThan(0);
  });

  it("leave a section of the wrong type alone instead of overwriting it", () => {
    expect(applyDefaults({ features: { apm: true } }).features).toMatchObject({ apm: true });
    expect(applyDefaults(null)).toEqual(applyDefaults({}));
  });
});

describe("keepSet (upstream BuildKeepSet)", () => {
  it("no experiment: current and previous", () => {
    expect([...keepSet({ currentRevision: "current-rev", previousRevision: "previous-rev" })].sort()).toEqual(
      ["current-rev", "previous-rev"],
    );
  });

  it("with an experiment: current, previous and its baseline", () => {
    const keep = keepSet({
      currentRevision: "current-rev",
      previousRevision: "previous-rev",
      experiment: { phase: "running", baselineRevision: "baseline-rev" },
    });
    expect([...keep].sort()).toEqual(["baseline-rev", "current-rev", "previous-rev"]);
  });

  it("empty names are excluded", () => {
    const keep = keepSet({
      currentRevision: "current-rev",
      previousRevision: "",
      experiment: { baselineRevision: "" },
    });
    expect([...keep]).toEqual(["current-rev"]);
  });
});
