import { describe, expect, it } from "vitest";
import type { DatadogAgent } from "./api";
import { applyDefaults } from "./defaults";
import {
  DEFAULT_AGENT_TAG,
  imageOf,
  renderWorkloads,
  REVISION_ANNOTATION,
  REVISION_HASH_LABEL,
} from "./render";

const agent: DatadogAgent = {
  apiVersion: "datadoghq.com/v2alpha1",
  kind: "DatadogAgent",
  metadata: {
    name: "datadog",
    namespace: "datadog",
    uid: "11111111-2222-3333-4444-555555555555",
    generation: 3,
  },
};
const revision = { name: "datadog-0123456789", hash: "0123456789" };

function render(spec: unknown) {
  const result = renderWorkloads(agent, applyDefaults(spec), revision);
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.workloads;
}

describe("renderWorkloads", () => {
  const spec = {
    global: {
      site: "datadoghq.eu",
      clusterName: "prod",
      tags: ["team:a", "env:prod"],
      credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
    },
    features: { apm: { enabled: true }, logCollection: { enabled: false } },
    override: {
      nodeAgent: {
        env: [
          { name: "DD_ENV", value: "demo" },
          { name: "DD_LOGS_ENABLED", value: "true" },
        ],
        tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
        nodeSelector: { "kubernetes.io/os": "linux" },
        image: { tag: "7.99.0" },
      },
      clusterAgent: { replicas: 2, image: { name: "docker.io/datadog/cluster-agent" } },
    },
  };

  it("names, owns and labels a DaemonSet and a Deployment, with the revision stamped on the pod templates", () => {
    const { daemonSet, deployment } = render(spec);
    expect(daemonSet.metadata?.name).toBe("datadog-agent");
    expect(deployment.metadata?.name).toBe("datadog-cluster-agent");
    for (const w of [daemonSet, deployment]) {
      expect(w.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          kind: "DatadogAgent",
          name: "datadog",
          uid: agent.metadata.uid,
          controller: true,
        }),
      ]);
      expect(w.spec?.template.metadata?.annotations?.[REVISION_ANNOTATION]).toBe(revision.name);
      expect(w.spec?.template.metadata?.labels?.[REVISION_HASH_LABEL]).toBe(revision.hash);
      // The selector must stay valid across revisions: no revision in it.
      expect(Object.keys(w.spec?.selector.matchLabels ?? {})).not.toContain(REVISION_HASH_LABEL);
    }
  });

  it("maps global and features to env, the API key only as a Secret reference, and override env wins", () => {
    const env = render(spec).daemonSet.spec!.template.spec!.containers[0]!.env!;
    const byName = Object.fromEntries(env.map((e) => [e.name, e]));
    expect(byName.DD_SITE?.value).toBe("datadoghq.eu");
    expect(byName.DD_CLUSTER_NAME?.value).toBe("prod");
    expect(byName.DD_TAGS?.value).toBe("team:a env:prod");
    expect(byName.DD_LOG_LEVEL?.value).toBe("info"); // a default
    expect(byName.DD_APM_ENABLED?.value).toBe("true");
    expect(byName.DD_LOGS_ENABLED?.value).toBe("true"); // override beats features.logCollection
    expect(byName.DD_ENV?.value).toBe("demo");
    expect(byName.DD_API_KEY).toEqual({
      name: "DD_API_KEY",
      valueFrom: { secretKeyRef: { name: "datadog-secret", key: "api-key" } },
    });
    expect(env.filter((e) => e.name === "DD_LOGS_ENABLED")).toHaveLength(1);
  });

  it("maps images, replicas, tolerations and nodeSelector", () => {
    const { daemonSet, deployment } = render(spec);
    expect(daemonSet.spec!.template.spec!.containers[0]!.image).toBe("gcr.io/datadoghq/agent:7.99.0");
    expect(daemonSet.spec!.template.spec!.tolerations).toEqual(spec.override.nodeAgent.tolerations);
    expect(daemonSet.spec!.template.spec!.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect(deployment.spec!.replicas).toBe(2);
    expect(deployment.spec!.template.spec!.containers[0]!.image).toBe(
      `docker.io/datadog/cluster-agent:${DEFAULT_AGENT_TAG}`,
    );
  });

  it("defaults: one cluster agent, the default registry and tags, no API key env without a Secret", () => {
    const { daemonSet, deployment } = render({});
    expect(deployment.spec!.replicas).toBe(1);
    expect(daemonSet.spec!.template.spec!.containers[0]!.image).toBe(
      `gcr.io/datadoghq/agent:${DEFAULT_AGENT_TAG}`,
    );
    expect(daemonSet.spec!.template.spec!.containers[0]!.env!.some((e) => e.name === "DD_API_KEY")).toBe(
      false,
    );
    // The node agent tolerates the spot taint; the cluster agent is not a per-node workload.
    expect(daemonSet.spec!.template.spec!.tolerations).toEqual([
      { key: "autoscaling.datadoghq.com/capacity-type", operator: "Exists", effect: "NoSchedule" },
    ]);
    expect(deployment.spec!.template.spec!.tolerations).toBeUndefined();
  });

  it("override tolerations replace the default one; an empty list keeps the agent off tainted nodes", () => {
    const { daemonSet } = render({ override: { nodeAgent: { tolerations: [] } } });
    expect(daemonSet.spec!.template.spec!.tolerations).toEqual([]);
  });

  it("reports each override of the wrong shape by its path instead of rendering it", () => {
    const result = renderWorkloads(
      agent,
      applyDefaults({
        override: {
          nodeAgent: { env: "DD_ENV=x", tolerations: {}, nodeSelector: { a: 1 } },
          clusterAgent: { replicas: -1, image: { tag: 7 } },
        },
      }),
      revision,
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        "override.nodeAgent.env must be a list of {name, value} or {name, valueFrom}",
        "override.nodeAgent.tolerations must be a list of tolerations",
        "override.nodeAgent.nodeSelector must map label names to strings",
        "override.clusterAgent.replicas must be a whole number ≥ 0",
        "override.clusterAgent.image must be {name?, tag?, jmxEnabled?}",
      ],
    });
  });

  it("literal keys come from the Secret fleetdeck makes, <name>-secret (api_key, app_key), on every component; never as values", () => {
    const { daemonSet, deployment } = render({
      global: { credentials: { apiKey: "placeholder-api-key-0001", appKey: "placeholder-app-key-0002" } },
    });
    for (const w of [daemonSet, deployment]) {
      const env = w.spec!.template.spec!.containers[0]!.env!;
      expect(env.filter((e) => e.name === "DD_API_KEY" || e.name === "DD_APP_KEY")).toEqual([
        { name: "DD_API_KEY", valueFrom: { secretKeyRef: { name: "datadog-secret", key: "api_key" } } },
        { name: "DD_APP_KEY", valueFrom: { secretKeyRef: { name: "datadog-secret", key: "app_key" } } },
      ]);
      expect(JSON.stringify(w)).not.toContain("placeholder-api-key-0001");
    }
  });

  it("a referenced Secret wins over a literal; an incomplete reference is not one (upstream's IsValidSecretConfig)", () => {
    const env = (credentials: unknown) =>
      render({ global: { credentials } }).daemonSet.spec!.template.spec!.containers[0]!.env!.find(
        (e) => e.name === "DD_API_KEY",
      );
    expect(env({ apiKey: "k", apiSecret: { secretName: "mine", keyName: "key" } })?.valueFrom).toEqual({
      secretKeyRef: { name: "mine", key: "key" },
    });
    expect(env({ apiKey: "k", apiSecret: { secretName: "mine" } })?.valueFrom).toEqual({
      secretKeyRef: { name: "datadog-secret", key: "api_key" },
    });
  });
});

describe("imageOf (the operator's image names)", () => {
  const reg = "gcr.io/datadoghq";
  it.each([
    [{}, "gcr.io/datadoghq/agent:7.72.1"],
    [{ tag: "7.80.0" }, "gcr.io/datadoghq/agent:7.80.0"],
    [{ tag: "7.80.0", jmxEnabled: true }, "gcr.io/datadoghq/agent:7.80.0-jmx"],
    [{ tag: "7.80.0-jmx", jmxEnabled: true }, "gcr.io/datadoghq/agent:7.80.0-jmx"],
    [{ name: "agent:7.81.0", tag: "ignored" }, "gcr.io/datadoghq/agent:7.81.0"],
    [{ name: "public.ecr.aws/datadog/agent:latest" }, "public.ecr.aws/datadog/agent:latest"],
    [{ name: "docker.io/datadog/agent", tag: "7.80.0" }, "docker.io/datadog/agent:7.80.0"],
    [{ name: "localhost:5000/agent", tag: "1" }, "localhost:5000/agent:1"],
  ])("%o → %s", (image, expected) => {
    expect(imageOf(reg, image, "agent", "7.72.1")).toBe(expected);
  });
});
