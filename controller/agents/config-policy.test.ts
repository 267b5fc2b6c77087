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
import { DATADOG_SITES } from "./endpoint-policy";

const policy: ConfigPolicy = { registries: DATADOG_REGISTRIES, secrets: [], endpoints: DATADOG_SITES };

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
    expect(
      policyViolation(candidate, current, { registries: "any", secrets: "any", endpoints: "any" }),
    ).toBeNull();
  });

  it("judges only what the candidate adds: an agent already on a private mirror keeps it", () => {
    const mirrored = { global: { registry: "mirror.corp/datadog" } };
    expect(
      policyViolation({ ...mirrored, features: { apm: { enabled: true } } }, mirrored, policy),
    ).toBeNull();
  });
});

describe("policyViolation: where the agents send data", () => {
  const allowed = `${DATADOG_SITES.join(", ")}; FLEETDECK_ALLOWED_ENDPOINTS`;
  const notAllowed = (host: string, path: string) =>
    `endpoint host "${host}" (${path}) is not an allowed destination for the agents' data (${allowed})`;
  const unreadable = (path: string, why: string) =>
    `${path}: ${why}, so fleetdeck cannot tell where the agents would send data (${allowed})`;
  const env = (name: string, value: string) => ({ override: { nodeAgent: { env: [{ name, value }] } } });

  it.each([
    ["another Datadog site", { global: { site: "datadoghq.eu" } }],
    ["a Datadog intake host", env("DD_DD_URL", "https://app.us5.datadoghq.com")],
    ["the logs intake, host:port", env("DD_LOGS_CONFIG_LOGS_DD_URL", "agent-intake.logs.datadoghq.eu:10516")],
    ["the gov site", env("DD_SITE", "ddog-gov.com")],
    ["a non-destination variable", env("DD_PROXY_NO_PROXY", "evil.example")],
    [
      "the OTLP listener",
      { features: { otlp: { receiver: { protocols: { grpc: { endpoint: "0.0.0.0:4317" } } } } } },
    ],
    ["an unset destination", env("DD_DD_URL", "")],
  ])("allows %s", (_, candidate) => {
    expect(policyViolation(candidate, current, policy)).toBeNull();
  });

  it.each([
    ["global.site", { global: { site: "evil.example" } }, notAllowed("evil.example", "global.site")],
    [
      "global.endpoint.url",
      { global: { endpoint: { url: "https://intake.evil.example/api" } } },
      notAllowed("intake.evil.example", "global.endpoint.url"),
    ],
    [
      "DD_DD_URL, userinfo hidden",
      env("DD_DD_URL", "https://app.datadoghq.com@evil.example"),
      notAllowed("evil.example", "override.nodeAgent.env[0] (DD_DD_URL)"),
    ],
    [
      "a look-alike of a site",
      env("DD_SITE", "datadoghq.com.evil.example"),
      notAllowed("datadoghq.com.evil.example", "override.nodeAgent.env[0] (DD_SITE)"),
    ],
    [
      "DD_PROXY_HTTPS",
      env("DD_PROXY_HTTPS", "http://user:pw@proxy.evil.example:3128"),
      notAllowed("proxy.evil.example", "override.nodeAgent.env[0] (DD_PROXY_HTTPS)"),
    ],
    [
      "dual shipping",
      env("DD_ADDITIONAL_ENDPOINTS", '{"https://app.evil.example": ["ENC[k]"]}'),
      notAllowed("app.evil.example", "override.nodeAgent.env[0] (DD_ADDITIONAL_ENDPOINTS)"),
    ],
    [
      "the orchestrator explorer",
      { features: { orchestratorExplorer: { ddUrl: "https://orch.evil.example" } } },
      notAllowed("orch.evil.example", "features.orchestratorExplorer.ddUrl"),
    ],
    [
      "a value fleetdeck cannot read",
      env("DD_DD_URL", "https://$(HOST)"),
      unreadable("override.nodeAgent.env[0] (DD_DD_URL)", "its value cannot be read as a URL or host"),
    ],
    [
      "a value from elsewhere",
      {
        override: {
          nodeAgent: {
            env: [{ name: "DD_DD_URL", valueFrom: { configMapKeyRef: { name: "x", key: "url" } } }],
          },
        },
      },
      unreadable("override.nodeAgent.env[0] (DD_DD_URL)", "its value comes from valueFrom"),
    ],
  ])("refuses %s, naming the field and the host", (_, candidate, message) => {
    expect(policyViolation(candidate, current, policy)).toBe(message);
    expect(policyViolation(candidate, current, { ...policy, endpoints: "any" })).toBeNull();
  });

  it("keeps the current spec's own destinations allowed, with their subdomains: restoring to them works", () => {
    const proxied = {
      global: { site: "datadoghq.com", env: [{ name: "DD_PROXY_HTTPS", value: "http://proxy.corp:3128" }] },
    };
    expect(policyViolation({ ...proxied, features: { apm: { enabled: true } } }, proxied, policy)).toBeNull();
    expect(policyViolation(env("HTTPS_PROXY", "http://egress.proxy.corp:8080"), proxied, policy)).toBeNull();
    expect(policyViolation(env("HTTPS_PROXY", "http://proxy.other:8080"), proxied, policy)).toMatch(
      /^endpoint host "proxy.other"/,
    );
    const fromConfigMap = {
      override: {
        nodeAgent: {
          env: [{ name: "DD_DD_URL", valueFrom: { configMapKeyRef: { name: "x", key: "url" } } }],
        },
      },
    };
    expect(policyViolation(fromConfigMap, fromConfigMap, policy)).toBeNull();
  });

  it("takes configured hosts besides Datadog's sites", () => {
    const candidate = env("DD_PROXY_HTTPS", "http://proxy.corp:3128");
    expect(
      policyViolation(candidate, current, { ...policy, endpoints: [...DATADOG_SITES, "proxy.corp"] }),
    ).toBeNull();
    expect(policyViolation(candidate, current, { ...policy, endpoints: [] })).toMatch(
      /\(none; FLEETDECK_ALLOWED_ENDPOINTS\)$/,
    );
  });
});
