import { describe, expect, it } from "vitest";
import {
  DATADOG_REGISTRIES,
  imageSources,
  inRegistry,
  normalizeRepository,
  policyViolation,
  secretReferences,
  type ConfigPolicy,
} from "./config-policy";

const policy: ConfigPolicy = { registries: DATADOG_REGISTRIES, secrets: [] };

const current = {
  global: { credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } } },
  override: {
    nodeAgent: {
      env: [{ name: "DD_APP_KEY", valueFrom: { secretKeyRef: { name: "datadog-app", key: "k" } } }],
    },
  },
};

describe("normalizeRepository", () => {
  it.each([
    ["datadog/agent", "docker.io/datadog/agent"],
    ["datadog/agent:7.50.0", "docker.io/datadog/agent"],
    ["index.docker.io/datadog/agent", "docker.io/datadog/agent"],
    ["GCR.io/datadoghq/agent@sha256:abc", "gcr.io/datadoghq/agent"],
    ["localhost:5000/agent:1", "localhost:5000/agent"],
    ["gcr.io/datadoghq/", "gcr.io/datadoghq"],
  ])("%s → %s", (given, expected) => expect(normalizeRepository(given)).toBe(expected));
});

describe("inRegistry", () => {
  it("matches whole path segments, never a longer name with the same prefix", () => {
    expect(inRegistry("gcr.io/datadoghq/agent", "gcr.io/datadoghq")).toBe(true);
    expect(inRegistry("gcr.io/datadoghq", "gcr.io/datadoghq")).toBe(true);
    expect(inRegistry("gcr.io/datadoghq-evil/agent", "gcr.io/datadoghq")).toBe(false);
    expect(inRegistry("docker.io/datadog/agent", "datadog")).toBe(true);
    expect(inRegistry("docker.io/datadogx/agent", "docker.io/datadog")).toBe(false);
  });
});

describe("imageSources and secretReferences", () => {
  it("resolve images as render.ts does and find every kind of Secret reference", () => {
    expect(
      imageSources({
        global: { registry: "public.ecr.aws/datadog" },
        override: {
          nodeAgent: { image: { name: "agent" } },
          clusterAgent: { image: { name: "quay.io/x/y:1" } },
        },
      }).map((f) => f.value),
    ).toEqual(["public.ecr.aws/datadog", "public.ecr.aws/datadog/agent", "quay.io/x/y"]);
    expect(imageSources({}).map((f) => f.value)).toEqual(["gcr.io/datadoghq"]);
    expect(
      secretReferences({
        ...current,
        override: { clusterAgent: { envFrom: [{ secretRef: { name: "bulk" } }] } },
      }),
    ).toEqual([
      { value: "datadog-secret", path: "global.credentials.apiSecret.secretName" },
      { value: "bulk", path: "override.clusterAgent.envFrom[0].secretRef" },
    ]);
  });
});

describe("policyViolation", () => {
  it("allows Datadog's registries and the Secrets the agent already references", () => {
    const candidate = {
      ...current,
      global: { ...current.global, registry: "eu.gcr.io/datadoghq" },
      override: {
        nodeAgent: {
          image: { name: "datadog/agent", tag: "7.60.0" },
          env: [{ name: "DD_X", valueFrom: { secretKeyRef: { name: "datadog-secret", key: "api-key" } } }],
        },
      },
    };
    expect(policyViolation(candidate, current, policy)).toBeNull();
  });

  it("refuses an image from elsewhere, naming it, where it is, and the allowed registries", () => {
    const candidate = { override: { nodeAgent: { image: { name: "evil.example/agent", tag: "1" } } } };
    expect(policyViolation(candidate, current, policy)).toBe(
      `image repository "evil.example/agent" (override.nodeAgent.image.name) is not from an allowed registry (${DATADOG_REGISTRIES.join(", ")}; FLEETDECK_ALLOWED_IMAGE_REGISTRIES)`,
    );
    expect(policyViolation({ global: { registry: "gcr.io/datadoghq-evil" } }, current, policy)).toMatch(
      /image repository "gcr.io\/datadoghq-evil" \(global.registry\)/,
    );
  });

  it("refuses a reference to a Secret the agent does not use yet, unless configured", () => {
    const candidate = {
      ...current,
      override: {
        nodeAgent: {
          env: [{ name: "STOLEN", valueFrom: { secretKeyRef: { name: "payments-db", key: "password" } } }],
        },
      },
    };
    expect(policyViolation(candidate, current, policy)).toBe(
      'Secret "payments-db" (override.nodeAgent.env[0].valueFrom.secretKeyRef) is not one this DatadogAgent already references (datadog-secret, datadog-app; FLEETDECK_ALLOWED_SECRET_REFERENCES adds more)',
    );
    expect(policyViolation(candidate, current, { ...policy, secrets: ["payments-db"] })).toBeNull();
    expect(policyViolation(candidate, current, { registries: "any", secrets: "any" })).toBeNull();
  });

  it("judges only what the candidate adds: an agent already on a private mirror keeps it", () => {
    const mirrored = { global: { registry: "mirror.corp/datadog" } };
    expect(
      policyViolation({ ...mirrored, features: { apm: { enabled: true } } }, mirrored, policy),
    ).toBeNull();
  });
});
