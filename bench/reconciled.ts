// "Fully reconciled", per side of the metadata-peer benchmark: what each controller produces for
// one DatadogAgent, checked from the API server (never from the controller's own word). One
// function per side, so a change of what a side writes (fleetdeck's status moving into
// conditions, the operator's next release) is one edit here.
//
// - fleetdeck: a ControllerRevision of the agent (its agent-uid label), the agent DaemonSet
//   `<name>-agent` and the cluster-agent Deployment `<name>-cluster-agent`, their pod templates
//   annotated with that revision, and a status that says so: the `FleetdeckReconciled` condition True at the
//   agent's generation (the status on the operator's own API), or `currentRevision` equal to it
//   (fleetdeck's own CRDs). On the operator's CRDs before fleetdeck moved its status into
//   conditions, the API server prunes fleetdeck's status fields: the status part cannot be seen,
//   and the benchmark says so (`statusVisible: false`) instead of counting nothing.
// - datadog-operator with -createControllerRevisions=true (internal/controller/datadogagent/
//   reconcile.go, revision.go, ddai.go): a ControllerRevision owned by the agent (label
//   agent.datadoghq.com/datadogagent=<name>), a DatadogAgentInternal of the same name, the
//   DaemonSet `<name>-agent` and the Deployment `<name>-cluster-agent` its DatadogAgentInternal
//   reconciler renders, and the status condition DatadogAgentReconcileError False.
// Burst agents are created once and never edited, so any revision of theirs is of the current spec.
import type { KubeClient } from "../controller/kube/client";
import type { KubeObject } from "../controller/kube/informer";

export type ReconcileSide = "fleetdeck" | "peer";

interface Condition {
  type: string;
  status: string;
  observedGeneration?: number;
}

type Obj = KubeObject & { status?: Record<string, unknown> };

/** What was found in one namespace, by object name. */
export interface NamespaceObjects {
  agents: Map<string, Obj>;
  revisions: Obj[];
  daemonSets: Map<string, Obj>;
  deployments: Map<string, Obj>;
  internals: Map<string, Obj>;
}

export interface ReconcileCount {
  /** Agents with every part below (status only where it is visible). */
  reconciled: number;
  revision: number;
  workloads: number;
  status: number;
  /** False when no agent has a status of this side's at all (pruned by the CRD's schema). */
  statusVisible: boolean;
}

const FLEETDECK_REVISION_ANNOTATION = "fleetdeck.dev/revision";
const FLEETDECK_AGENT_UID_LABEL = "fleetdeck.dev/agent-uid";
const FLEETDECK_RECONCILED_CONDITION = "FleetdeckReconciled";
const OPERATOR_AGENT_LABEL = "agent.datadoghq.com/datadogagent";
const OPERATOR_ERROR_CONDITION = "DatadogAgentReconcileError";

/** The revision a workload's pod template was rendered from (fleetdeck's annotation). */
const templateRevision = (workload: Obj | undefined) =>
  (workload?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)
    ?.template?.metadata?.annotations?.[FLEETDECK_REVISION_ANNOTATION];

const conditionsOf = (obj: Obj) => (obj.status?.conditions as Condition[] | undefined) ?? [];

interface Parts {
  revision: boolean;
  workloads: boolean;
  /** undefined: this agent has no status of this side's at all. */
  status: boolean | undefined;
}

function fleetdeckParts(agent: Obj, found: NamespaceObjects): Parts {
  const name = agent.metadata.name;
  const uid = agent.metadata.uid;
  const ds = found.daemonSets.get(`${name}-agent`);
  const deploy = found.deployments.get(`${name}-cluster-agent`);
  const rendered = templateRevision(ds);
  const revision =
    rendered !== undefined &&
    found.revisions.some(
      (r) => r.metadata.name === rendered && r.metadata.labels?.[FLEETDECK_AGENT_UID_LABEL] === uid,
    );
  const workloads = rendered !== undefined && templateRevision(deploy) === rendered;
  const condition = conditionsOf(agent).find((c) => c.type === FLEETDECK_RECONCILED_CONDITION);
  const currentRevision = agent.status?.currentRevision as string | undefined;
  const status =
    condition === undefined && currentRevision === undefined
      ? undefined
      : condition
        ? condition.status === "True" && condition.observedGeneration === agent.metadata.generation
        : currentRevision === rendered;
  return { revision, workloads, status };
}

function peerParts(agent: Obj, found: NamespaceObjects): Parts {
  const name = agent.metadata.name;
  const uid = agent.metadata.uid;
  const revision = found.revisions.some(
    (r) =>
      r.metadata.labels?.[OPERATOR_AGENT_LABEL] === name &&
      ((r.metadata.ownerReferences as { uid?: string; controller?: boolean }[] | undefined) ?? []).some(
        (o) => o.controller && o.uid === uid,
      ),
  );
  const workloads =
    found.internals.has(name) &&
    found.daemonSets.has(`${name}-agent`) &&
    found.deployments.has(`${name}-cluster-agent`);
  const condition = conditionsOf(agent).find((c) => c.type === OPERATOR_ERROR_CONDITION);
  return { revision, workloads, status: condition ? condition.status === "False" : undefined };
}

const PARTS: Record<ReconcileSide, (agent: Obj, found: NamespaceObjects) => Parts> = {
  fleetdeck: fleetdeckParts,
  peer: peerParts,
};

/** Counts the agents among `names` that `side` has fully reconciled. */
export function countReconciled(
  side: ReconcileSide,
  names: string[],
  found: NamespaceObjects,
): ReconcileCount {
  const parts = names.flatMap((name) => {
    const agent = found.agents.get(name);
    return agent ? [PARTS[side](agent, found)] : [];
  });
  const statusVisible = parts.some((p) => p.status !== undefined);
  const count = (pick: (p: Parts) => boolean) => parts.filter(pick).length;
  return {
    reconciled: count((p) => p.revision && p.workloads && (!statusVisible || p.status === true)),
    revision: count((p) => p.revision),
    workloads: count((p) => p.workloads),
    status: count((p) => p.status === true),
    statusVisible,
  };
}

async function listAll(client: KubeClient, path: string): Promise<Obj[]> {
  const items: Obj[] = [];
  let token = "";
  do {
    const page = await client.list<Obj>(path, { limit: "500", ...(token ? { continue: token } : {}) });
    items.push(...(page.items ?? []));
    token = page.metadata.continue ?? "";
  } while (token);
  return items;
}

const byName = (items: Obj[]) => new Map(items.map((o) => [o.metadata.name, o]));

/** Lists what both checks read in `namespace` (agents, revisions, workloads, DatadogAgentInternals). */
export async function namespaceObjects(client: KubeClient, namespace: string): Promise<NamespaceObjects> {
  const [agents, revisions, daemonSets, deployments, internals] = await Promise.all([
    listAll(client, `/apis/datadoghq.com/v2alpha1/namespaces/${namespace}/datadogagents`),
    listAll(client, `/apis/apps/v1/namespaces/${namespace}/controllerrevisions`),
    listAll(client, `/apis/apps/v1/namespaces/${namespace}/daemonsets`),
    listAll(client, `/apis/apps/v1/namespaces/${namespace}/deployments`),
    listAll(client, `/apis/datadoghq.com/v1alpha1/namespaces/${namespace}/datadogagentinternals`),
  ]);
  return {
    agents: byName(agents),
    revisions,
    daemonSets: byName(daemonSets),
    deployments: byName(deployments),
    internals: byName(internals),
  };
}
