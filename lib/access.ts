// Who may do what, in Kubernetes' terms (FLEETDECK_AUTHZ=kubernetes): the identity a command is
// recorded with, the Kubernetes verb each command kind implies, and the sentence a refusal
// reads as. The dashboard records identities and shows stored answers; the controller asks the
// API server. Both use these definitions, so a button and the command it sends agree.
import { splitTarget, type CommandKind } from "./commands";
import { SPOT_WORKLOAD_KINDS, type SpotWorkloadKind } from "./spot";

/** How the dashboard authenticated an actor. */
export const AUTH_METHODS = ["local", "admin-token", "proxy", "api-token"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * Actors with the controller's full power, never reviewed: loopback without a login (whoever
 * can reach it runs the machine) and the admin token. Documented in docs/security.md.
 */
export function hasFullPower(method: string): boolean {
  return method === "local" || method === "admin-token";
}

/** A Kubernetes identity: what a SubjectAccessReview asks about. */
export interface Subject {
  user: string;
  groups: string[];
}

/** The identity of a ServiceAccount, as the API server authenticates its tokens. */
export function serviceAccountSubject(namespace: string, name: string): Subject {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

/** One stable text per identity (groups sorted): a stored answer's key and a Command's column. */
export function encodeSubject(subject: Subject): string {
  return JSON.stringify({ user: subject.user, groups: [...new Set(subject.groups)].sort() });
}

/** The identity stored by encodeSubject, or null when the text is not one. */
export function decodeSubject(text: string | null | undefined): Subject | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as { user?: unknown; groups?: unknown };
    if (typeof value.user !== "string" || value.user === "") return null;
    if (!Array.isArray(value.groups) || !value.groups.every((g) => typeof g === "string")) return null;
    return { user: value.user, groups: value.groups as string[] };
  } catch {
    return null;
  }
}

/** "alice (groups: sre, ops)", or "alice (no groups)". */
export function describeSubject(subject: Subject): string {
  return `${subject.user} (${subject.groups.length > 0 ? `groups: ${subject.groups.join(", ")}` : "no groups"})`;
}

/** A resource request, as `kubectl auth can-i` asks it. */
export interface ResourceAccess {
  verb: string;
  /** API group: "" for the core group. */
  group: string;
  /** Plural resource name. */
  resource: string;
  namespace: string;
  name: string;
}

/** "datadogagents.datadoghq.com", or "pods" for the core group: the resource as kubectl names it. */
export function qualifiedResource(access: Pick<ResourceAccess, "group" | "resource">): string {
  return access.group ? `${access.resource}.${access.group}` : access.resource;
}

/** The spot workload kind's resource. */
export function workloadResource(kind: SpotWorkloadKind): string {
  return kind === "Deployment" ? "deployments" : "statefulsets";
}

/**
 * What applying a command does in Kubernetes' terms, or null when it touches nothing
 * (ping). Experiments and restores replace the DatadogAgent (update); the spot commands
 * merge-patch the workload's annotation (patch).
 */
export function commandAccess(kind: CommandKind, target: string, payload: unknown): ResourceAccess | null {
  const { namespace, name } = splitTarget(target);
  switch (kind) {
    case "ping":
      return null;
    case "start-experiment":
    case "stop-experiment":
    case "promote-experiment":
    case "restore-revision":
      return { verb: "update", group: "datadoghq.com", resource: "datadogagents", namespace, name };
    case "enable-spot":
    case "disable-spot": {
      const workload = (payload as { kind?: unknown }).kind;
      const kindOf = SPOT_WORKLOAD_KINDS.find((k) => k === workload) ?? "Deployment";
      return { verb: "patch", group: "apps", resource: workloadResource(kindOf), namespace, name };
    }
  }
}

/** `alice (groups: sre) cannot update datadogagents.datadoghq.com "web" in namespace "datadog"`. */
export function denialMessage(subject: Subject, access: ResourceAccess): string {
  return `${describeSubject(subject)} cannot ${access.verb} ${qualifiedResource(access)} "${access.name}" in namespace "${access.namespace}"`;
}

/**
 * Whether a viewer may do what a button would do, as the controller last asked the API server
 * (FLEETDECK_AUTHZ=kubernetes): "denied" carries the refusal the command would get; a person or
 * an object not answered yet is "unchecked" (the command is reviewed when applied anyway).
 */
export interface Permission {
  state: "allowed" | "denied" | "unchecked";
  reason: string;
}

/** Why a button is disabled for the viewer, or null. */
export function refusalOf(permission: Permission | undefined): string | null {
  return permission?.state === "denied" ? permission.reason : null;
}

/**
 * Read authorization: what a person may see, as one question per view, asked of each cluster's
 * API server cluster-wide (namespace "") and, where that is refused, per namespace. A list or
 * get without a name. The controller asks them (controller/access/), the dashboard reads the
 * answers into a visibility scope (server/scope/); docs/security.md has the table of pages.
 */
export const VIEWS = {
  /** Agents, their revisions, experiments, rollouts and CRD metadata sends; a cluster at all. */
  agents: { verb: "list", group: "datadoghq.com", resource: "datadogagents", namespaced: true },
  /** Helm release values (Helm keeps them in Secrets): the Helm metadata sends. */
  helm: { verb: "get", group: "", resource: "secrets", namespaced: true },
  /** Spot placement of a namespace's pods: spot workloads, their events and commands. */
  spot: { verb: "list", group: "", resource: "pods", namespaced: true },
  /** DatadogPodAutoscalers. */
  autoscalers: { verb: "list", group: "datadoghq.com", resource: "datadogpodautoscalers", namespaced: true },
  /** DatadogPodAutoscalerClusterProfiles (cluster-scoped). */
  profiles: {
    verb: "list",
    group: "datadoghq.com",
    resource: "datadogpodautoscalerclusterprofiles",
    namespaced: false,
  },
} as const;

export type View = keyof typeof VIEWS;
export const VIEW_NAMES = Object.keys(VIEWS) as View[];
/** A view a namespace can grant (the others are cluster-wide only). */
export type NamespacedView = { [V in View]: (typeof VIEWS)[V]["namespaced"] extends true ? V : never }[View];
export const NAMESPACED_VIEWS = VIEW_NAMES.filter((view): view is NamespacedView => VIEWS[view].namespaced);

/** The question of `view` in `namespace` ("" for every namespace, as `kubectl auth can-i -A`). */
export function viewQuestion(view: View, namespace = ""): ResourceAccess {
  const { verb, group, resource } = VIEWS[view];
  return { verb, group, resource, namespace, name: "" };
}

/** The view a stored answer is about, or undefined when it is a button's (or another) question. */
export function viewOf(answer: { verb: string; resource: string; name: string }): View | undefined {
  if (answer.name !== "") return undefined;
  return VIEW_NAMES.find(
    (view) => VIEWS[view].verb === answer.verb && qualifiedResource(VIEWS[view]) === answer.resource,
  );
}

/** A namespace's name as Kubernetes allows it (an RFC 1123 label). */
export const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
