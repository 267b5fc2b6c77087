import { describe, expect, it } from "vitest";
import { unsupportedFields } from "./support";

describe("unsupportedFields", () => {
  it("lists what the renderer leaves aside, at the shallowest wholly unsupported level", () => {
    expect(
      unsupportedFields({
        global: {
          clusterName: "prod",
          credentials: { apiKey: "k" },
          kubelet: { tlsVerify: false },
          clusterAgentToken: "t",
        },
        features: {
          apm: { enabled: true, hostPortConfig: { enabled: true } },
          cws: { enabled: true },
          npm: { enabled: true },
          otelCollector: { enabled: true, ports: [] },
        },
        override: {
          nodeAgent: {
            env: [],
            tolerations: [],
            containers: { agent: {} },
            image: { tag: "1", pullPolicy: "Always" },
          },
          clusterAgent: { replicas: 2, serviceAccountName: "x" },
          otelAgentGateway: { replicas: 1 },
        },
      }),
    ).toEqual([
      "global.kubelet",
      "global.clusterAgentToken",
      "features.apm.hostPortConfig",
      "features.cws",
      "features.otelCollector",
      "override.nodeAgent.containers",
      "override.nodeAgent.image.pullPolicy",
      "override.clusterAgent.serviceAccountName",
      "override.otelAgentGateway",
    ]);
  });

  it("nothing for a spec it renders whole, a feature turned off, or no spec", () => {
    expect(
      unsupportedFields({
        global: {
          site: "datadoghq.eu",
          tags: ["a"],
          credentials: { apiSecret: { secretName: "s", keyName: "k" } },
        },
        features: { logCollection: { enabled: true }, cspm: { enabled: false } },
        override: { clusterAgent: { image: { name: "cluster-agent", jmxEnabled: false } } },
      }),
    ).toEqual([]);
    expect(unsupportedFields(undefined)).toEqual([]);
  });

  it("the operator's preview feature annotations, not its experiment or fleet signals", () => {
    expect(
      unsupportedFields(
        {},
        {
          "agent.datadoghq.com/host-profiler-enabled": "true",
          "cluster-agent.datadoghq.com/private-action-runner-enabled": "true",
          "experiment.datadoghq.com/signal": "start",
          "fleet.datadoghq.com/pending-task-id": "t",
          "kubectl.kubernetes.io/last-applied-configuration": "{}",
        },
      ),
    ).toEqual([
      "metadata.annotations[agent.datadoghq.com/host-profiler-enabled]",
      "metadata.annotations[cluster-agent.datadoghq.com/private-action-runner-enabled]",
    ]);
  });
});
