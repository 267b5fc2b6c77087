// Helpers of the workload autoscaling tests and the gate-memory benchmark: autoscaler and
// profile bodies, the controller's gate as /readyz reports it, and the pod LIST/WATCH requests
// the API server's audit log recorded (config/cluster/audit-policy.yaml logs only those).
import fs from "node:fs";
import path from "node:path";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { DPA_API_VERSION, type Condition } from "../lib/autoscaling";

const GROUP = { group: "datadoghq.com", version: "v1alpha2" };

export function autoscalerBody(
  name: string,
  target: { kind?: string; name: string; apiVersion?: string },
  spec: Record<string, unknown> = {},
  labels: Record<string, string> = {},
) {
  return {
    apiVersion: DPA_API_VERSION,
    kind: "DatadogPodAutoscaler",
    metadata: { name, labels },
    spec: {
      targetRef: {
        apiVersion: target.apiVersion ?? "apps/v1",
        kind: target.kind ?? "Deployment",
        name: target.name,
      },
      owner: "Local",
      applyPolicy: { mode: "Apply" },
      constraints: { minReplicas: 1, maxReplicas: 5 },
      ...spec,
    },
  };
}

export async function createAutoscaler(kc: KubeConfig, namespace: string, body: object): Promise<void> {
  await kc
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({ ...GROUP, namespace, plural: "datadogpodautoscalers", body });
}

export interface AutoscalerStatus {
  currentReplicas?: number;
  conditions?: Condition[];
}

export async function autoscalerStatus(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<AutoscalerStatus> {
  const dpa = (await kc
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({ ...GROUP, namespace, plural: "datadogpodautoscalers", name })) as {
    status?: AutoscalerStatus;
  };
  return dpa.status ?? {};
}

export function condition(status: { conditions?: Condition[] }, type: string): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/** Every autoscaler and profile in the cluster, e.g. [["DatadogPodAutoscaler", "shop/checkout"]]. */
export async function listAutoscalers(kc: KubeConfig): Promise<[string, string][]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  type List = { items: { metadata: { name: string; namespace?: string } }[] };
  const dpas = (await api.listClusterCustomObject({ ...GROUP, plural: "datadogpodautoscalers" })) as List;
  const profiles = (await api.listClusterCustomObject({
    ...GROUP,
    plural: "datadogpodautoscalerclusterprofiles",
  })) as List;
  return [
    ...dpas.items.map(
      (d) => ["DatadogPodAutoscaler", `${d.metadata.namespace}/${d.metadata.name}`] as [string, string],
    ),
    ...profiles.items.map((p) => ["DatadogPodAutoscalerClusterProfile", p.metadata.name] as [string, string]),
  ];
}

/** Deletes every autoscaler and profile (the gate tests need a cluster without any). */
export async function deleteAllAutoscalers(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const [kind, name] of await listAutoscalers(kc)) {
    if (kind === "DatadogPodAutoscaler") {
      const [namespace = "", dpa = ""] = name.split("/");
      await api.deleteNamespacedCustomObject({
        ...GROUP,
        namespace,
        plural: "datadogpodautoscalers",
        name: dpa,
      });
    } else {
      await api.deleteClusterCustomObject({ ...GROUP, plural: "datadogpodautoscalerclusterprofiles", name });
    }
  }
}

export interface GateDetails {
  workloadEnabled: boolean;
  gate: {
    open: boolean;
    openedAt: string | null;
    openedBy: { kind: string; namespace?: string; name: string } | null;
    podCollectionSynced: boolean;
  };
  podStore: { started: boolean; synced: boolean; podsCached: number; estimatedBytes: number };
}

/** The controller's /readyz?verbose: HTTP status and the autoscaling details. */
export async function readyz(healthURL: string): Promise<{ status: number; autoscaling: GateDetails }> {
  const res = await fetch(`${healthURL}/readyz?verbose`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { details: { autoscaling: GateDetails } };
  return { status: res.status, autoscaling: body.details.autoscaling };
}

export interface AuditedPodRequest {
  auditID: string;
  verb: "list" | "watch";
  stage: string;
  userAgent: string;
  requestURI: string;
  at: Date;
  /** The request's labelSelector ("" when it has none: every pod of its scope). */
  labelSelector: string;
}

/**
 * A request for every pod of the cluster (no label selector, no namespace): what the lazy gate
 * keeps closed. The agents' label-filtered pod watch (fleetdeck.dev/agent-uid) is not one.
 */
export function clusterWide(request: AuditedPodRequest): boolean {
  return request.labelSelector === "" && request.requestURI.startsWith("/api/v1/pods");
}

/** Pod LIST and WATCH requests in a local cluster's audit log (one entry per request). */
export function auditedPodRequests(clusterDir: string, since = new Date(0)): AuditedPodRequest[] {
  const file = path.join(clusterDir, "logs", "audit.log");
  const byId = new Map<string, AuditedPodRequest>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as {
      auditID: string;
      verb: string;
      stage: string;
      userAgent?: string;
      requestURI: string;
      objectRef?: { resource?: string };
      requestReceivedTimestamp: string;
    };
    if (e.objectRef?.resource !== "pods" || (e.verb !== "list" && e.verb !== "watch")) continue;
    const at = new Date(e.requestReceivedTimestamp);
    if (at < since || byId.has(e.auditID)) continue;
    byId.set(e.auditID, {
      auditID: e.auditID,
      verb: e.verb,
      stage: e.stage,
      userAgent: e.userAgent ?? "",
      requestURI: e.requestURI,
      at,
      labelSelector: new URL(e.requestURI, "http://audit").searchParams.get("labelSelector") ?? "",
    });
  }
  return [...byId.values()];
}

/** The User-Agent prefix of every fleetdeck controller (controller/kube/client.ts). */
export const CONTROLLER_USER_AGENT = "fleetdeck-controller/";
