// What the rollout read model and the health gate read: informers on the rendered workloads
// (label managed-by=fleetdeck), on their pods (label fleetdeck.dev/agent-uid: only agent pods,
// never a cluster-wide pod watch, so the lazy autoscaling gate's promise stands) and on the
// nodes. Each object is slimmed before it is cached to the fields the rules read.
import type { V1ContainerStatus, V1DaemonSet, V1Deployment, V1Node, V1Pod } from "@kubernetes/client-node";
import type { Informer, KubeObject } from "../kube/informer";
import type { InformerFactory } from "../kube/informer-factory";
import { objectKey } from "../kube/informer";
import type { DatadogAgent } from "./api";
import { evaluateGate, type GatePod, type GateVerdict } from "./health-gate";
import { COMPONENT_LABEL, RENDER_HASH_ANNOTATION, REVISION_ANNOTATION, REVISION_HASH_LABEL } from "./render";
import { AGENT_UID_LABEL, MANAGED_BY_LABEL, MANAGED_BY_SELECTOR } from "./revisions";
import { gatePods, type RolloutInput } from "./rollout";
import type { HealthGateSettings } from "../../lib/agents";

export const AGENT_PODS_SELECTOR = AGENT_UID_LABEL;

export const agentDaemonSetName = (agent: string) => `${agent}-agent`;
export const clusterAgentName = (agent: string) => `${agent}-cluster-agent`;

export class RolloutCache {
  readonly daemonSets: Informer<KubeObject>;
  readonly deployments: Informer<KubeObject>;
  readonly pods: Informer<KubeObject>;
  readonly nodes: Informer<KubeObject>;
  /** Pod keys by the uid of the agent they belong to. */
  private readonly podsByAgent = new Map<string, Set<string>>();
  /** Agent keys by uid, from the DatadogAgent informer. */
  private readonly agentKeys = new Map<string, string>();

  constructor(
    informers: InformerFactory,
    private readonly agents: Informer<DatadogAgent>,
  ) {
    const workloads = (resource: string) =>
      informers.informer<KubeObject>({
        name: `fleetdeck-${resource}`,
        path: `/apis/apps/v1/${resource}`,
        labelSelector: MANAGED_BY_SELECTOR,
        transform: slimWorkload,
      });
    this.daemonSets = workloads("daemonsets");
    this.deployments = workloads("deployments");
    this.pods = informers.informer<KubeObject>({
      name: "fleetdeck-agent-pods",
      path: "/api/v1/pods",
      labelSelector: AGENT_PODS_SELECTOR,
      transform: slimPod,
    });
    this.nodes = informers.informer<KubeObject>({
      name: "nodes",
      path: "/api/v1/nodes",
      transform: slimNode,
    });

    const index = (pod: KubeObject, add: boolean) => {
      const uid = pod.metadata.labels?.[AGENT_UID_LABEL];
      if (!uid) return;
      const keys = this.podsByAgent.get(uid) ?? new Set<string>();
      if (add) keys.add(objectKey(pod));
      else keys.delete(objectKey(pod));
      if (keys.size > 0) this.podsByAgent.set(uid, keys);
      else this.podsByAgent.delete(uid);
    };
    this.pods
      .on("add", (pod) => index(pod, true))
      .on("update", (_old, pod) => index(pod, true))
      .on("delete", (pod) => index(pod, false));
    const remember = (agent: DatadogAgent) => {
      if (agent.metadata.uid) this.agentKeys.set(agent.metadata.uid, objectKey(agent));
    };
    agents
      .on("add", remember)
      .on("update", (_old, agent) => remember(agent))
      .on("delete", (agent) => {
        if (agent.metadata.uid) this.agentKeys.delete(agent.metadata.uid);
      });
  }

  /**
   * Calls `changed` when a node appears, goes, or changes what coverage reads (labels, taints,
   * cordon, readiness): not at every heartbeat.
   */
  onNodesChanged(changed: () => void): void {
    const seen = new Map<string, string>();
    const fingerprint = (node: KubeObject) => {
      const { resourceVersion: _rv, ...metadata } = node.metadata;
      return JSON.stringify([metadata, node.spec, node.status]);
    };
    this.nodes
      .on("add", (node) => {
        seen.set(node.metadata.name, fingerprint(node));
        changed();
      })
      .on("update", (_old, node) => {
        const next = fingerprint(node);
        if (seen.get(node.metadata.name) === next) return;
        seen.set(node.metadata.name, next);
        changed();
      })
      .on("delete", (node) => {
        seen.delete(node.metadata.name);
        changed();
      });
  }

  /** Every informer the rollout rules read (a controller's workers wait for them). */
  all(): Informer<KubeObject>[] {
    return [this.daemonSets, this.deployments, this.pods, this.nodes];
  }

  /** The key of the agent a workload or pod belongs to (by its agent-uid label). */
  agentKeyOf(obj: KubeObject): string | undefined {
    const uid = obj.metadata.labels?.[AGENT_UID_LABEL];
    return uid ? this.agentKeys.get(uid) : undefined;
  }

  agentPods(agent: DatadogAgent): V1Pod[] {
    const keys = this.podsByAgent.get(agent.metadata.uid ?? "") ?? new Set<string>();
    return [...keys].map((k) => this.pods.get(k)).filter((p) => p !== undefined) as unknown as V1Pod[];
  }

  /** The agent's DaemonSet and Deployment as cached (undefined: not there). */
  workloads(agent: DatadogAgent): { daemonSet?: KubeObject; deployment?: KubeObject } {
    const ns = agent.metadata.namespace!;
    return {
      daemonSet: this.daemonSets.get(`${ns}/${agentDaemonSetName(agent.metadata.name)}`),
      deployment: this.deployments.get(`${ns}/${clusterAgentName(agent.metadata.name)}`),
    };
  }

  rolloutInput(agent: DatadogAgent): RolloutInput {
    const ns = agent.metadata.namespace!;
    const ds = agentDaemonSetName(agent.metadata.name);
    const deploy = clusterAgentName(agent.metadata.name);
    return {
      daemonSet: {
        name: ds,
        object: this.daemonSets.get(`${ns}/${ds}`) as unknown as V1DaemonSet | undefined,
      },
      deployment: {
        name: deploy,
        object: this.deployments.get(`${ns}/${deploy}`) as unknown as V1Deployment | undefined,
      },
      pods: this.agentPods(agent),
      nodes: this.nodes.list() as unknown as V1Node[],
    };
  }

  /** The pods of one of the agent's revisions, as the health gate judges them. */
  revisionPods(agent: DatadogAgent, hash: string): GatePod[] {
    return gatePods(this.agentPods(agent), hash);
  }

  /** The gate's verdict on a revision of the agent now. */
  verdict(agent: DatadogAgent, hash: string, gate: HealthGateSettings, now: Date): GateVerdict {
    return evaluateGate(this.revisionPods(agent, hash), gate, now);
  }
}

// ---- Transforms: what each cache keeps ----

function pick<T extends object>(obj: T | undefined, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  if (!obj) return out;
  for (const key of keys) if (obj[key] !== undefined) out[key] = obj[key];
  return out;
}

function slimMetadata(meta: KubeObject["metadata"], labels: string[], annotations: string[] = []) {
  const keep = (from: Record<string, string> | undefined, names: string[]) =>
    Object.fromEntries(names.filter((n) => from?.[n] !== undefined).map((n) => [n, from![n]!]));
  return {
    ...pick(meta, [
      "name",
      "namespace",
      "uid",
      "resourceVersion",
      "generation",
      "creationTimestamp",
      "deletionTimestamp",
    ]),
    labels: keep(meta.labels, labels),
    annotations: keep(meta.annotations, annotations),
  } as KubeObject["metadata"];
}

const POD_LABELS = [AGENT_UID_LABEL, COMPONENT_LABEL, REVISION_HASH_LABEL];

export function slimPod(raw: KubeObject): KubeObject {
  const pod = raw as unknown as V1Pod;
  const status = pod.status ?? {};
  const containers = (list: V1ContainerStatus[] | undefined) =>
    list?.map((c) => pick(c, ["name", "ready", "restartCount", "state", "lastState"]));
  return {
    metadata: slimMetadata(raw.metadata, POD_LABELS, [REVISION_ANNOTATION]),
    spec: { nodeName: pod.spec?.nodeName },
    status: {
      ...pick(status, ["phase", "reason", "message"]),
      conditions: status.conditions?.map((c) =>
        pick(c, ["type", "status", "reason", "message", "lastTransitionTime"]),
      ),
      containerStatuses: containers(status.containerStatuses),
      initContainerStatuses: containers(status.initContainerStatuses),
    },
  };
}

export function slimWorkload(raw: KubeObject): KubeObject {
  const w = raw as unknown as V1DaemonSet & V1Deployment;
  const template = w.spec?.template;
  return {
    metadata: slimMetadata(
      raw.metadata,
      [MANAGED_BY_LABEL, AGENT_UID_LABEL, COMPONENT_LABEL],
      [RENDER_HASH_ANNOTATION],
    ),
    spec: {
      replicas: (w.spec as V1Deployment["spec"])?.replicas,
      template: {
        metadata: {
          labels: pick(template?.metadata?.labels ?? {}, [REVISION_HASH_LABEL]),
          annotations: pick(template?.metadata?.annotations ?? {}, [REVISION_ANNOTATION]),
        },
        spec: { nodeSelector: template?.spec?.nodeSelector, tolerations: template?.spec?.tolerations },
      },
    },
    status: w.status,
  };
}

export function slimNode(raw: KubeObject): KubeObject {
  const node = raw as unknown as V1Node;
  return {
    metadata: { ...slimMetadata(raw.metadata, []), labels: raw.metadata.labels ?? {} },
    spec: pick(node.spec, ["taints", "unschedulable"]),
    status: {
      conditions: node.status?.conditions
        ?.filter((c) => c.type === "Ready")
        .map((c) => pick(c, ["type", "status"])),
    },
  };
}
