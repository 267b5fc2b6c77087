// Renders a DatadogAgent into what runs: a DaemonSet `<name>-agent` (the node agent) and a
// Deployment `<name>-cluster-agent`, both owned by the DatadogAgent and applied with
// server-side apply (field manager `fleetdeck`). The revision is stamped on the pod templates,
// so restoring another revision rolls the pods. Each workload carries the hash of its render
// (annotation fleetdeck.dev/render-hash, on the object, not the pod template): a workload whose
// live annotation matches is not applied again, after a restart or at a resync either. The
// mapping is documented in docs/experiments.md; what it leaves aside is listed by support.ts.
import { createHash } from "node:crypto";
import type { V1DaemonSet, V1Deployment, V1EnvVar, V1Toleration } from "@kubernetes/client-node";
import { resourcePath, type KubeClient } from "../kube/client";
import { canonicalJson, isJsonObject, type Json, type JsonObject } from "../../lib/merge-patch";
import { CAPACITY_TYPE_KEY } from "../../lib/spot";
import type { DatadogAgent } from "./api";
import { credentialsOf, type SecretKeyRef } from "./credentials";
import { AGENT_UID_LABEL, MANAGED_BY_LABEL, ownerReference } from "./revisions";

export const REVISION_ANNOTATION = "fleetdeck.dev/revision";
export const REVISION_HASH_LABEL = "fleetdeck.dev/revision-hash";
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const RENDER_HASH_ANNOTATION = "fleetdeck.dev/render-hash";
/**
 * The node agent's tolerations when override.nodeAgent.tolerations is absent: a monitoring agent
 * runs on the nodes it monitors, spot nodes (tainted by the spot scheduler) included. An override
 * list replaces it (`[]` keeps the agent off tainted nodes).
 */
export const DEFAULT_NODE_AGENT_TOLERATIONS: V1Toleration[] = [
  { key: CAPACITY_TYPE_KEY, operator: "Exists", effect: "NoSchedule" },
];
/** Image tags used when the spec names none (override.<component>.image.tag). */
export const DEFAULT_AGENT_TAG = "7.72.1";
export const DEFAULT_CLUSTER_AGENT_TAG = "7.72.1";

export interface RenderedWorkloads {
  daemonSet: V1DaemonSet;
  deployment: V1Deployment;
}

export type RenderResult = { ok: true; workloads: RenderedWorkloads } | { ok: false; problems: string[] };

type Component = "nodeAgent" | "clusterAgent";

/** Pure: the workloads for a defaulted spec at a revision. */
export function renderWorkloads(
  agent: DatadogAgent,
  spec: JsonObject,
  revision: { name: string; hash: string },
): RenderResult {
  const problems: string[] = [];
  const global = objectAt(spec, "global");
  const features = objectAt(spec, "features");
  const read = (component: Component) => readOverride(spec, component, problems);
  const node = read("nodeAgent");
  const cluster = read("clusterAgent");
  if (problems.length > 0) return { ok: false, problems };

  const common = [...commonEnv(global), ...credentialEnv(credentialsOf(agent.metadata.name, spec))];
  const nodeEnv = mergeEnv(
    [
      ...common,
      boolEnv("DD_APM_ENABLED", features, "apm"),
      boolEnv("DD_LOGS_ENABLED", features, "logCollection"),
      boolEnv("DD_SYSTEM_PROBE_NETWORK_ENABLED", features, "npm"),
      boolEnv("DD_PROCESS_AGENT_PROCESS_COLLECTION_ENABLED", features, "liveProcessCollection"),
    ],
    node.env,
  );
  const clusterEnv = mergeEnv([...common, { name: "DD_CLUSTER_AGENT_ENABLED", value: "true" }], cluster.env);
  const registry = typeof global.registry === "string" ? global.registry : "gcr.io/datadoghq";
  const name = agent.metadata.name;

  const daemonSet: V1DaemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: metadataFor(agent, `${name}-agent`, "agent"),
    spec: {
      selector: { matchLabels: selectorFor(agent, "agent") },
      template: {
        metadata: templateMetadata(agent, "agent", revision),
        spec: {
          containers: [
            {
              name: "agent",
              image: imageOf(registry, node.image, "agent", DEFAULT_AGENT_TAG),
              env: nodeEnv,
            },
          ],
          tolerations: node.tolerations ?? DEFAULT_NODE_AGENT_TOLERATIONS,
          ...(node.nodeSelector ? { nodeSelector: node.nodeSelector } : {}),
        },
      },
    },
  };
  const deployment: V1Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadataFor(agent, `${name}-cluster-agent`, "cluster-agent"),
    spec: {
      replicas: cluster.replicas ?? 1,
      selector: { matchLabels: selectorFor(agent, "cluster-agent") },
      template: {
        metadata: templateMetadata(agent, "cluster-agent", revision),
        spec: {
          containers: [
            {
              name: "cluster-agent",
              image: imageOf(registry, cluster.image, "cluster-agent", DEFAULT_CLUSTER_AGENT_TAG),
              env: clusterEnv,
            },
          ],
          ...(cluster.tolerations ? { tolerations: cluster.tolerations } : {}),
          ...(cluster.nodeSelector ? { nodeSelector: cluster.nodeSelector } : {}),
        },
      },
    },
  };
  return {
    ok: true,
    workloads: { daemonSet: withRenderHash(daemonSet), deployment: withRenderHash(deployment) },
  };
}

/** The workload with the hash of everything else it says in its render-hash annotation. */
function withRenderHash<T extends V1DaemonSet | V1Deployment>(workload: T): T {
  const hash = createHash("sha256")
    .update(canonicalJson(workload as unknown as Json))
    .digest("hex")
    .slice(0, 16);
  workload.metadata!.annotations = { ...workload.metadata!.annotations, [RENDER_HASH_ANNOTATION]: hash };
  return workload;
}

/** The render hash a workload carries (rendered or live), if any. */
export function renderHashOf(workload: { metadata?: { annotations?: Record<string, string> } } | undefined) {
  return workload?.metadata?.annotations?.[RENDER_HASH_ANNOTATION];
}

/**
 * Applies the workloads whose render hash differs from the live object's (`live`: what the
 * informer holds; absent, it is created), in parallel, with server-side apply (force: fleetdeck
 * owns these fields). Created by apply too, not POST: an object created by POST is owned by an
 * Update manager, whose fields a later apply would not remove when the render drops them.
 * Returns how many it applied.
 */
export async function applyWorkloads(
  client: KubeClient,
  workloads: RenderedWorkloads,
  live: { daemonSet?: unknown; deployment?: unknown } = {},
): Promise<number> {
  const apply = (resource: string, obj: V1DaemonSet | V1Deployment) =>
    client.apply(
      resourcePath({
        group: "apps",
        version: "v1",
        resource,
        namespace: obj.metadata!.namespace,
        name: obj.metadata!.name,
      }),
      obj,
    );
  const stale = (rendered: V1DaemonSet | V1Deployment, current: unknown) =>
    renderHashOf(current as V1DaemonSet | undefined) !== renderHashOf(rendered);
  const writes = [
    ...(stale(workloads.daemonSet, live.daemonSet) ? [apply("daemonsets", workloads.daemonSet)] : []),
    ...(stale(workloads.deployment, live.deployment) ? [apply("deployments", workloads.deployment)] : []),
  ];
  await Promise.all(writes);
  return writes.length;
}

function metadataFor(agent: DatadogAgent, name: string, component: string) {
  return {
    name,
    namespace: agent.metadata.namespace,
    labels: {
      "app.kubernetes.io/name": "datadog-agent",
      [MANAGED_BY_LABEL]: "fleetdeck",
      [COMPONENT_LABEL]: component,
      [AGENT_UID_LABEL]: agent.metadata.uid!,
    },
    ownerReferences: [ownerReference(agent)],
  };
}

/** Selectors are immutable: they name only the owner's uid and the component. */
function selectorFor(agent: DatadogAgent, component: string): Record<string, string> {
  return { [AGENT_UID_LABEL]: agent.metadata.uid!, [COMPONENT_LABEL]: component };
}

function templateMetadata(agent: DatadogAgent, component: string, revision: { name: string; hash: string }) {
  return {
    labels: { ...selectorFor(agent, component), [REVISION_HASH_LABEL]: revision.hash },
    annotations: { [REVISION_ANNOTATION]: revision.name },
  };
}

function commonEnv(global: JsonObject): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  for (const [name, key] of [
    ["DD_SITE", "site"],
    ["DD_CLUSTER_NAME", "clusterName"],
    ["DD_LOG_LEVEL", "logLevel"],
  ] as const) {
    if (typeof global[key] === "string") env.push({ name, value: global[key] });
  }
  if (Array.isArray(global.tags) && global.tags.length > 0) {
    env.push({ name: "DD_TAGS", value: global.tags.map(String).join(" ") });
  }
  return env;
}

/** DD_API_KEY and DD_APP_KEY from their Secrets (credentials.ts), never as literal values. */
function credentialEnv(credentials: { apiKey?: SecretKeyRef; appKey?: SecretKeyRef }): V1EnvVar[] {
  const fromSecret = (name: string, ref: SecretKeyRef): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
  });
  return [
    ...(credentials.apiKey ? [fromSecret("DD_API_KEY", credentials.apiKey)] : []),
    ...(credentials.appKey ? [fromSecret("DD_APP_KEY", credentials.appKey)] : []),
  ];
}

function boolEnv(name: string, features: JsonObject, feature: string): V1EnvVar {
  return { name, value: String(objectAt(features, feature).enabled === true) };
}

/** Override env wins over the generated one with the same name; new names are appended. */
function mergeEnv(generated: V1EnvVar[], overrides: V1EnvVar[]): V1EnvVar[] {
  const byName = new Map(generated.map((e) => [e.name, e]));
  for (const e of overrides) byName.set(e.name, e);
  return [...byName.values()];
}

/**
 * The image of a component, as the operator assembles it (pkg/images): `name` may be a bare
 * name (registry and tag added), `name:tag` (registry added, `tag` ignored) or a full
 * `registry/name:tag`; `jmxEnabled` selects the `-jmx` variant of a tag. fleetdeck also takes a
 * `registry/name` without a tag as a whole repository.
 */
export function imageOf(
  registry: string,
  image: { name?: string; tag?: string; jmxEnabled?: boolean },
  defaultName: string,
  defaultTag: string,
): string {
  const name = image.name || defaultName;
  const lastSegment = name.slice(name.lastIndexOf("/") + 1);
  if (lastSegment.includes(":")) return name.includes("/") ? name : `${registry}/${name}`;
  const repository = name.includes("/") ? name : `${registry}/${name}`;
  const tag = image.tag || defaultTag;
  return `${repository}:${image.jmxEnabled && !tag.endsWith("-jmx") ? `${tag}-jmx` : tag}`;
}

function objectAt(obj: JsonObject, key: string): JsonObject {
  const value = obj[key];
  return isJsonObject(value) ? value : {};
}

interface Override {
  env: V1EnvVar[];
  tolerations?: V1Toleration[];
  nodeSelector?: Record<string, string>;
  replicas?: number;
  image: { name?: string; tag?: string; jmxEnabled?: boolean };
}

/** Reads override.<component>, reporting each field of the wrong shape by its path. */
function readOverride(spec: JsonObject, component: Component, problems: string[]): Override {
  const section = objectAt(objectAt(spec, "override"), component);
  const at = (field: string) => `override.${component}.${field}`;
  const result: Override = { env: [], image: {} };

  const env = section.env;
  if (env !== undefined) {
    if (Array.isArray(env) && env.every(isEnvVar)) result.env = env as unknown as V1EnvVar[];
    else problems.push(`${at("env")} must be a list of {name, value} or {name, valueFrom}`);
  }
  const tolerations = section.tolerations;
  if (tolerations !== undefined) {
    if (Array.isArray(tolerations) && tolerations.every(isJsonObject))
      result.tolerations = tolerations as unknown as V1Toleration[];
    else problems.push(`${at("tolerations")} must be a list of tolerations`);
  }
  const nodeSelector = section.nodeSelector;
  if (nodeSelector !== undefined) {
    if (isJsonObject(nodeSelector) && Object.values(nodeSelector).every((v) => typeof v === "string"))
      result.nodeSelector = nodeSelector as Record<string, string>;
    else problems.push(`${at("nodeSelector")} must map label names to strings`);
  }
  const replicas = section.replicas;
  if (replicas !== undefined) {
    if (typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 0)
      result.replicas = replicas;
    else problems.push(`${at("replicas")} must be a whole number ≥ 0`);
  }
  const image = section.image;
  if (image !== undefined) {
    if (
      isJsonObject(image) &&
      [image.name, image.tag].every((v) => v === undefined || typeof v === "string") &&
      (image.jmxEnabled === undefined || typeof image.jmxEnabled === "boolean")
    )
      result.image = image as Override["image"];
    else problems.push(`${at("image")} must be {name?, tag?, jmxEnabled?}`);
  }
  return result;
}

function isEnvVar(value: Json): boolean {
  if (!isJsonObject(value) || typeof value.name !== "string" || value.name === "") return false;
  return (
    (value.value === undefined || typeof value.value === "string") &&
    (value.valueFrom === undefined || isJsonObject(value.valueFrom))
  );
}
