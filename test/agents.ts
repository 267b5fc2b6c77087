// The agents feature in the test process (test/controller.ts: wired as main.ts wires it), with
// authorization and the command consumer. Also helpers to create DatadogAgents, submit
// commands and read Events.
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type EventsV1Event,
  type KubeConfig,
} from "@kubernetes/client-node";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { REVISION_ANNOTATION } from "../controller/agents/render";
import { KubeClient } from "../controller/kube/client";
import { Informer, type KubeObject } from "../controller/kube/informer";
import type { AuthMethod, Subject } from "../lib/access";
import type { AgentStatus } from "../lib/agents";
import type { Condition } from "../lib/conditions";
import { agentStatusOf, experimentStatusColumn } from "../lib/read-model/agents";
import { isReconciled } from "../testing/agent-state";
import { insertCommand } from "../lib/db/commands";
import type { Database } from "../lib/db/open";
import { startFeatures, type ControllerUnderTest } from "./controller";
import { eventually, testClusterDir } from "./harness";

/** The agents feature, with authorization when env turns it on (FLEETDECK_AUTHZ=kubernetes). */
export function startAgents(
  kc: KubeConfig,
  db: Database,
  env: Record<string, string> = {},
): Promise<ControllerUnderTest> {
  return startFeatures(kc, db, ["agents", "access", "commands"], {
    env: { FLEETDECK_CONTROLLER_ID: "agents-test", ...env },
  });
}

export interface AgentObject {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion: string;
    annotations?: Record<string, string>;
  };
  spec: Record<string, unknown>;
  /** The operator's status: fleetdeck writes `experiment` and its own conditions. */
  status?: {
    conditions?: Condition[];
    experiment?: {
      phase?: string;
      id?: string;
      startedAt?: string;
      startTaskID?: string;
      terminationReason?: string;
    };
  };
}

/** One of fleetdeck's conditions on the agent. */
export function conditionOf(agent: AgentObject, type: string): Condition | undefined {
  return agent.status?.conditions?.find((c) => c.type === type);
}

const dda = { group: "datadoghq.com", version: "v2alpha1", plural: "datadogagents" };

export function agentClient(kc: KubeConfig) {
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    create: async (namespace: string, name: string, spec: Record<string, unknown>) =>
      (await custom.createNamespacedCustomObject({
        ...dda,
        namespace,
        body: {
          apiVersion: "datadoghq.com/v2alpha1",
          kind: "DatadogAgent",
          metadata: { name, namespace },
          spec,
        },
      })) as AgentObject,
    get: async (namespace: string, name: string) =>
      (await custom.getNamespacedCustomObject({ ...dda, namespace, name })) as AgentObject,
    /** An outside edit, as `kubectl edit` makes it: the whole object back with a changed spec. */
    replaceSpec: async (
      namespace: string,
      name: string,
      spec: Record<string, unknown>,
      fieldManager = "kubectl-edit",
    ) => {
      // The controller may write the status between our read and write (409): read again and
      // retry, as a user whose `kubectl edit` was refused would.
      for (let attempt = 1; ; attempt++) {
        const current = (await custom.getNamespacedCustomObject({ ...dda, namespace, name })) as AgentObject;
        try {
          return (await custom.replaceNamespacedCustomObject({
            ...dda,
            namespace,
            name,
            body: { ...current, spec },
            fieldManager,
          })) as AgentObject;
        } catch (error) {
          if ((error as { code?: number }).code !== 409 || attempt >= 5) throw error;
        }
      }
    },
    delete: (namespace: string, name: string) =>
      custom.deleteNamespacedCustomObject({ ...dda, namespace, name }),
  };
}

/** Waits until the agent has been reconciled at its current generation (its condition says so); returns it. */
export async function reconciled(kc: KubeConfig, namespace: string, name: string, timeoutMs = 20_000) {
  return eventually(
    async () => {
      const agent = await agentClient(kc).get(namespace, name);
      if (!isReconciled(agent)) throw new Error(`not reconciled yet: ${JSON.stringify(agent.status)}`);
      return agent;
    },
    { timeoutMs },
  );
}

/** What fleetdeck's store keeps of an agent: its revision pointers and the experiment as it knows it. */
export async function agentState(db: Database, key: string): Promise<AgentStatus & { generation: number }> {
  const row = await db.agent.findFirstOrThrow({ where: { key } });
  return {
    generation: row.generation,
    ...agentStatusOf({ ...row, experiment: experimentStatusColumn.decode(row.experiment) }),
  };
}

/** Waits until the store has the agent at its current generation with `revision` current; returns its state. */
export async function currentRevision(
  kc: KubeConfig,
  db: Database,
  namespace: string,
  name: string,
  revision: string,
  timeoutMs = 20_000,
) {
  return eventually(
    async () => {
      const agent = await reconciled(kc, namespace, name, timeoutMs);
      const state = await agentState(db, `${namespace}/${name}`);
      if (state.generation !== agent.metadata.generation || state.currentRevision !== revision) {
        throw new Error(`store not there yet: ${JSON.stringify(state)}`);
      }
      return state;
    },
    { timeoutMs },
  );
}

/**
 * Writes by the controller to a DatadogAgent (update and patch, its status subresource
 * apart) as the run's API server recorded them in its audit log (config/cluster/audit-policy.yaml
 * logs those); empty for an external cluster.
 */
export function auditedAgentWrites(
  namespace: string,
  name: string,
  since = new Date(0),
): { verb: string; subresource: string; userAgent: string; at: Date }[] {
  const dir = testClusterDir();
  if (!dir) return [];
  const byId = new Map<string, { verb: string; subresource: string; userAgent: string; at: Date }>();
  for (const line of fs.readFileSync(path.join(dir, "logs", "audit.log"), "utf8").split("\n")) {
    if (!line.includes('"datadogagents"')) continue;
    const e = JSON.parse(line) as {
      auditID: string;
      verb: string;
      userAgent?: string;
      objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string };
      requestReceivedTimestamp: string;
      responseStatus?: { code?: number };
    };
    const ref = e.objectRef;
    if (ref?.resource !== "datadogagents" || ref.namespace !== namespace || ref.name !== name) continue;
    if (!["patch", "update"].includes(e.verb) || (e.responseStatus?.code ?? 0) >= 300) continue;
    const at = new Date(e.requestReceivedTimestamp);
    if (at < since) continue;
    byId.set(e.auditID, {
      verb: e.verb,
      subresource: ref.subresource ?? "",
      userAgent: e.userAgent ?? "",
      at,
    });
  }
  return [...byId.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Inserts a command for the database's one cluster as the dashboard does and waits for its outcome. */
export async function submit(
  db: Database,
  kind: string,
  target: string,
  payload: unknown,
  {
    actor = "alice",
    source = "dashboard",
    timeoutMs = 20_000,
    actorAuth,
    identity,
  }: { actor?: string; source?: string; timeoutMs?: number; actorAuth?: AuthMethod; identity?: Subject } = {},
): Promise<{ id: number; status: string; message: string | null }> {
  const { id: clusterId } = await db.cluster.findFirstOrThrow();
  const inserted = await insertCommand(db, {
    clusterId,
    kind,
    target,
    payload,
    actor,
    source,
    actorAuth,
    identity,
  });
  if (!inserted.ok) throw new Error(inserted.error);
  return eventually(
    async () => {
      const c = await db.command.findUniqueOrThrow({ where: { id: inserted.commandId } });
      if (!["applied", "rejected", "ignored"].includes(c.status))
        throw new Error(`command still ${c.status}`);
      return { id: c.id, status: c.status, message: c.message };
    },
    { timeoutMs, intervalMs: 20 },
  );
}

/** The revision stamped on the agent DaemonSet's pod template: what runs (or is rolling out). */
export async function daemonSetRevision(kc: KubeConfig, namespace: string, name: string) {
  const ds = await kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ namespace, name: `${name}-agent` });
  return ds.spec?.template.metadata?.annotations?.[REVISION_ANNOTATION];
}

/** Events about the DatadogAgent `name`, oldest first. */
export async function agentEvents(kc: KubeConfig, namespace: string, name: string): Promise<EventsV1Event[]> {
  const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({
    namespace,
    fieldSelector: `regarding.kind=DatadogAgent,regarding.name=${name}`,
  });
  return list.items.sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
}

export async function createApiKeySecret(kc: KubeConfig, namespace: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: "datadog-secret" }, stringData: { "api-key": "placeholder-not-a-real-key" } },
  });
}

/**
 * Records every experiment phase the agent's status goes through ("none" when there is no
 * experiment; "terminated (unhealthy)" with its terminationReason), deduplicated, from a watch.
 */
export function watchPhases(kc: KubeConfig, namespace: string, name: string) {
  const phases: string[] = [];
  const informer = new Informer<KubeObject>(
    new KubeClient(kc),
    {
      name: `phases-${name}`,
      path: `/apis/datadoghq.com/v2alpha1/namespaces/${namespace}/datadogagents`,
      fieldSelector: `metadata.name=${name}`,
    },
    pino({ level: "silent" }),
  );
  const record = (obj: KubeObject) => {
    const exp = (obj as unknown as AgentObject).status?.experiment;
    const phase = (exp?.phase ?? "none") + (exp?.terminationReason ? ` (${exp.terminationReason})` : "");
    if (phases[phases.length - 1] !== phase) phases.push(phase);
  };
  informer.on("add", record);
  informer.on("update", (_old, obj) => record(obj));
  informer.start();
  return { phases, ready: () => informer.waitForSync(), stop: () => informer.stop() };
}
