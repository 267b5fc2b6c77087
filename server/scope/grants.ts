// What an actor may see, per cluster, from the answers that cluster's controller stored
// (AccessAnswer, lib/access.ts VIEWS) and the authorization its controllers report. Pure: the
// scope (./read-scope.ts) reads the rows, the model rules (./rules.ts) turn this into filters.
import { hasFullPower, NAMESPACE_NAME, VIEW_NAMES, viewOf, type AuthMethod, type View } from "@/lib/access";

/** Every namespace of a view, or the namespaces listed. */
export type Namespaces = "all" | string[];

export type ClusterGrant =
  /** The cluster's controllers run without per-user authorization: everyone sees all of it. */
  | { state: "open" }
  /** No answers for this person yet: nothing of the cluster, with a note saying so. */
  | { state: "checking" }
  /** As the answers say. A cluster is visible where the agents view grants some namespace. */
  | { state: "answered"; views: Record<View, Namespaces> };

/**
 * "full": the controller's power (local mode, the admin token), no filter at all. "person":
 * the proxy's user, by their answers. "machine": the API token, which reads only the status of
 * the commands it posted (and the fleet's cluster names and controllers).
 */
export type Grants =
  | { kind: "full" }
  | { kind: "person"; subject: string; clusters: Map<string, ClusterGrant> }
  | { kind: "machine"; actorAuth: AuthMethod };

export interface StoredAnswer {
  clusterId: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  allowed: boolean;
}

export interface GrantInputs {
  clusterIds: string[];
  /** The authorization each cluster's controllers report (lib/attention.ts clusterAuthorization). */
  modes: Map<string, "none" | "kubernetes" | null>;
  /** The clusters whose controller has answered this person (AccessCheck). */
  answered: Set<string>;
  /** This person's stored answers (buttons' included: they are skipped). */
  answers: StoredAnswer[];
}

/** A person's grant in each cluster of the fleet. */
export function personGrants(subject: string, inputs: GrantInputs): Grants {
  const clusters = new Map<string, ClusterGrant>();
  for (const id of inputs.clusterIds) {
    if (inputs.modes.get(id) === "none") clusters.set(id, { state: "open" });
    else if (!inputs.answered.has(id)) clusters.set(id, { state: "checking" });
    else
      clusters.set(id, {
        state: "answered",
        views: viewsOf(inputs.answers.filter((a) => a.clusterId === id)),
      });
  }
  return { kind: "person", subject, clusters };
}

function viewsOf(answers: StoredAnswer[]): Record<View, Namespaces> {
  const views = Object.fromEntries(VIEW_NAMES.map((view) => [view, [] as string[]])) as Record<
    View,
    Namespaces
  >;
  for (const answer of answers) {
    const view = viewOf(answer);
    const current = view && views[view];
    if (!answer.allowed || !current || current === "all") continue;
    if (answer.namespace === "") views[view!] = "all";
    // A stored namespace is matched as a key's prefix: only a real namespace name may be one.
    else if (NAMESPACE_NAME.test(answer.namespace)) current.push(answer.namespace);
  }
  // A cluster-scoped view is granted cluster-wide only.
  if (views.profiles !== "all") views.profiles = [];
  return views;
}

/** The grants of an actor that needs no answers, or null for a person. */
export function grantsWithoutAnswers(via: AuthMethod): Grants | null {
  if (hasFullPower(via)) return { kind: "full" };
  if (via === "api-token") return { kind: "machine", actorAuth: via };
  return null;
}

/** What of `view` the grants show in a cluster: every namespace, some, or none ([]). */
export function namespacesOf(grants: Grants, clusterId: string, view: View): Namespaces {
  if (grants.kind === "full") return "all";
  if (grants.kind === "machine") return [];
  const grant = grants.clusters.get(clusterId);
  if (!grant || grant.state === "checking") return [];
  if (grant.state === "open") return "all";
  return clusterVisible(grant) ? grant.views[view] : [];
}

function clusterVisible(grant: ClusterGrant): boolean {
  if (grant.state !== "answered") return grant.state === "open";
  return grant.views.agents === "all" || grant.views.agents.length > 0;
}

/** The clusters whose own rows (name, controllers, forwarders, gates) the actor sees; "all" for every one. */
export function visibleClusters(grants: Grants): "all" | string[] {
  if (grants.kind !== "person") return "all";
  return [...grants.clusters].filter(([, grant]) => clusterVisible(grant)).map(([id]) => id);
}

/** The clusters whose answers for this person are not known yet. */
export function checkingClusters(grants: Grants): string[] {
  if (grants.kind !== "person") return [];
  return [...grants.clusters].filter(([, grant]) => grant.state === "checking").map(([id]) => id);
}
