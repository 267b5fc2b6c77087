import { describe, expect, it } from "vitest";
import { DATADOG_SITES, destinations, hostOf, hostsIn, inDomain, isDestinationEnv } from "./endpoint-policy";

describe("isDestinationEnv", () => {
  it.each([
    ["DD_SITE", true],
    ["DD_DD_URL", true],
    ["DD_URL", true],
    ["DD_LOGS_CONFIG_LOGS_DD_URL", true],
    ["DD_APM_DD_URL", true],
    ["DD_PROCESS_CONFIG_PROCESS_DD_URL", true],
    ["DD_ORCHESTRATOR_EXPLORER_ORCHESTRATOR_DD_URL", true],
    ["DD_ADDITIONAL_ENDPOINTS", true],
    ["DD_LOGS_CONFIG_ADDITIONAL_ENDPOINTS", true],
    ["DD_EXTERNAL_METRICS_PROVIDER_ENDPOINT", true],
    ["DD_PROXY_HTTPS", true],
    ["DD_PROXY_HTTP", true],
    ["HTTPS_PROXY", true],
    ["https_proxy", true],
    ["DD_PROXY_NO_PROXY", false],
    ["NO_PROXY", false],
    ["DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT", false],
    ["DD_ENV", false],
    ["DD_API_KEY", false],
    ["SITE", false],
  ])("%s → %s", (name, expected) => expect(isDestinationEnv(name)).toBe(expected));
});

describe("hostOf and hostsIn", () => {
  it.each([
    ["https://app.datadoghq.com", "app.datadoghq.com"],
    ["https://user:pw@Intake.Example.com:8443/api?x=1", "intake.example.com"],
    ["agent-intake.logs.datadoghq.com:10516", "agent-intake.logs.datadoghq.com"],
    ["datadoghq.eu", "datadoghq.eu"],
    ["http://10.0.0.5:3128", "10.0.0.5"],
    ["https://datadoghq.com.evil.example", "datadoghq.com.evil.example"],
    ["https://datadoghq.com@evil.example", "evil.example"],
    ["https://evil.example\\@datadoghq.com", undefined],
    ["$(PROXY_HOST)", undefined],
    ["not a url", undefined],
    ["", undefined],
  ])("%s → %s", (value, expected) => expect(hostOf(value)).toBe(expected));

  it("reads JSON values: additional endpoints as URL → keys, and the logs' list of hosts", () => {
    expect(hostsIn('{"https://app.datadoghq.eu": ["k1"], "https://app.evil.example": ["k2"]}')).toEqual([
      "app.datadoghq.eu",
      "app.evil.example",
    ]);
    expect(hostsIn('[{"api_key": "k", "Host": "intake.evil.example", "Port": 443}]')).toEqual([
      "intake.evil.example",
    ]);
    expect(hostsIn('{"https://website.example/host": ["k1"]}')).toEqual(["website.example"]);
    expect(hostsIn("")).toEqual([]);
    expect(hostsIn("{not json")).toBeUndefined();
  });
});

describe("inDomain", () => {
  it("matches a host and its subdomains, never a longer name with the same ending", () => {
    expect(inDomain("app.datadoghq.com", "datadoghq.com")).toBe(true);
    expect(inDomain("datadoghq.com", "datadoghq.com")).toBe(true);
    expect(inDomain("evildatadoghq.com", "datadoghq.com")).toBe(false);
    expect(inDomain("datadoghq.com.evil.example", "datadoghq.com")).toBe(false);
    expect(inDomain("proxy.corp", "http://proxy.corp:3128")).toBe(true);
    for (const site of DATADOG_SITES) expect(inDomain(`app.${site}`, site)).toBe(true);
  });
});

describe("destinations", () => {
  it("finds the site, the spec's URL fields and every destination env entry, wherever the env list is", () => {
    const spec = {
      global: {
        site: "datadoghq.eu",
        endpoint: { url: "https://intake.one.example" },
        env: [{ name: "DD_PROXY_HTTPS", value: "http://proxy.two.example:3128" }],
      },
      features: {
        orchestratorExplorer: { ddUrl: "https://orch.three.example" },
        externalMetricsServer: { endpoint: { url: "https://metrics.four.example" } },
        otlp: { receiver: { protocols: { grpc: { endpoint: "0.0.0.0:4317" } } } },
      },
      override: {
        nodeAgent: {
          env: [
            { name: "DD_ENV", value: "prod" },
            { name: "DD_DD_URL", value: "https://five.example" },
            { name: "DD_PROXY_NO_PROXY", value: "10.0.0.0/8" },
          ],
          containers: {
            agent: { env: [{ name: "DD_LOGS_CONFIG_LOGS_DD_URL", value: "six.example:10516" }] },
            "trace-agent": {
              env: [{ name: "DD_APM_DD_URL", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } }],
            },
          },
        },
      },
    };
    expect(destinations(spec)).toEqual([
      { path: "global.site", host: "datadoghq.eu" },
      { path: "global.endpoint.url", host: "intake.one.example" },
      { path: "global.env[0] (DD_PROXY_HTTPS)", host: "proxy.two.example" },
      { path: "features.orchestratorExplorer.ddUrl", host: "orch.three.example" },
      { path: "features.externalMetricsServer.endpoint.url", host: "metrics.four.example" },
      { path: "override.nodeAgent.env[1] (DD_DD_URL)", host: "five.example" },
      {
        path: "override.nodeAgent.containers.agent.env[0] (DD_LOGS_CONFIG_LOGS_DD_URL)",
        host: "six.example",
      },
      {
        path: "override.nodeAgent.containers.trace-agent.env[0] (DD_APM_DD_URL)",
        host: {
          unreadable: "its value comes from valueFrom",
          identity: JSON.stringify({ configMapKeyRef: { name: "c", key: "k" } }),
        },
      },
    ]);
    expect(destinations({})).toEqual([]);
  });
});
