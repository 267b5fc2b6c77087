// Which rows of each model an actor may read: a filter per model of the store, from the actor's
// grants (./grants.ts), ANDed into every read the dashboard makes (./read-scope.ts). Every model
// has a rule (the table is typed by the generated client's model names, so a new model does not
// compile without one); what a model's rows show decides its view (docs/security.md, "Read
// authorization").
import { COMMAND_KINDS } from "@/lib/commands";
import { DPA_KIND, DPACP_KIND } from "@/lib/autoscaling";
import type { View } from "@/lib/access";
import { SPOT_WORKLOAD_KINDS } from "@/lib/spot";
import type { Prisma } from "@/prisma/generated/sqlite/client";
import { namespacesOf, visibleClusters, type Grants } from "./grants";

export type Where = Record<string, unknown>;
type PartialGrants = Exclude<Grants, { kind: "full" }>;
export type Rule = (grants: PartialGrants) => Where;

/** Matches no row: Prisma reads `in: []` as false. */
const nothing = (field: string): Where => ({ [field]: { in: [] } });

const anyOf = (clauses: Where[], field = "clusterId"): Where =>
  clauses.length === 0 ? nothing(field) : clauses.length === 1 ? clauses[0]! : { OR: clauses };

const clustersOf = (grants: PartialGrants) => (grants.kind === "person" ? [...grants.clusters.keys()] : []);

/** The rows of every visible cluster (`column` holds the cluster id). */
function byCluster(grants: PartialGrants, column = "clusterId"): Where {
  const visible = visibleClusters(grants);
  return visible === "all" ? {} : { [column]: { in: visible } };
}

/** The rows of `view` in a namespace the grants show, the namespace in a column of its own. */
function byNamespace(grants: PartialGrants, view: View, column = "namespace"): Where {
  return anyOf(
    clustersOf(grants).flatMap((clusterId) => {
      const namespaces = namespacesOf(grants, clusterId, view);
      if (namespaces === "all") return [{ clusterId }];
      return namespaces.length ? [{ clusterId, [column]: { in: namespaces } }] : [];
    }),
  );
}

/** The rows of the clusters where the grants show `view` everywhere (a cluster-scoped view). */
function byClusterWide(grants: PartialGrants, view: View): Where {
  const clusters = clustersOf(grants).filter((id) => namespacesOf(grants, id, view) === "all");
  return { clusterId: { in: clusters } };
}

/**
 * The rows of `view` in a namespace the grants show, the namespace leading a key
 * ("namespace/name", or after one of `kinds`: "Deployment/namespace/name"). Namespaces are
 * RFC 1123 labels (./grants.ts): no LIKE wildcard, and lower case on both stores.
 */
function byKeyPrefix(
  grants: PartialGrants,
  view: View,
  column: string,
  kinds: readonly string[] = [""],
): Where {
  return anyOf(
    clustersOf(grants).flatMap((clusterId) => {
      const namespaces = namespacesOf(grants, clusterId, view);
      if (namespaces === "all") return [{ clusterId }];
      const prefixes = namespaces.flatMap((ns) => kinds.map((kind) => `${kind ? `${kind}/` : ""}${ns}/`));
      return prefixes.length
        ? [{ clusterId, OR: prefixes.map((prefix) => ({ [column]: { startsWith: prefix } })) }]
        : [];
    }),
  );
}

const AGENT_COMMANDS = ["start-experiment", "stop-experiment", "promote-experiment", "restore-revision"];
const SPOT_COMMANDS = ["enable-spot", "disable-spot"];
/** Commands of no object: seen with their cluster. */
const CLUSTER_COMMANDS = COMMAND_KINDS.filter(
  (k) => !AGENT_COMMANDS.includes(k) && !SPOT_COMMANDS.includes(k),
);

/** Audit rows by the kind of their target (a command's rows name its kind). */
const AUDIT_TARGETS = {
  agents: ["DatadogAgent", "DatadogAgentInternal", "DatadogAgentProfile", ...AGENT_COMMANDS],
  spot: [...SPOT_WORKLOAD_KINDS, ...SPOT_COMMANDS],
  autoscalers: [DPA_KIND],
  /** The cluster's own: its forwarding, its audit retention, its controllers, pings. */
  cluster: ["MetadataIntake", "AuditTrail", "Controller", "Cluster", ...CLUSTER_COMMANDS],
};

/** Only the person's own rows (their answers, their "seen" row), by the column holding their key. */
const own =
  (column: string): Rule =>
  (grants) =>
    grants.kind === "person" ? { [column]: grants.subject } : nothing(column);

const personOnly =
  (rule: (grants: Extract<Grants, { kind: "person" }>) => Where, field = "clusterId"): Rule =>
  (grants) =>
    grants.kind === "person" ? rule(grants) : nothing(field);

const never =
  (field: string): Rule =>
  () =>
    nothing(field);

export const MODEL_RULES: Record<Prisma.ModelName, Rule> = {
  Cluster: (g) => byCluster(g, "id"),
  ControllerHeartbeat: (g) => byCluster(g),
  Command: (g) =>
    g.kind === "machine"
      ? { actorAuth: g.actorAuth }
      : anyOf([
          { kind: { in: AGENT_COMMANDS }, AND: [byKeyPrefix(g, "agents", "target")] },
          { kind: { in: SPOT_COMMANDS }, AND: [byKeyPrefix(g, "spot", "target")] },
          { kind: { in: CLUSTER_COMMANDS }, AND: [byCluster(g)] },
        ]),
  AuditEvent: personOnly((g) => ({
    // The dashboard's own rows (sign-ins, with client addresses) are for full power only.
    clusterId: { not: null },
    OR: [
      { targetKind: { in: AUDIT_TARGETS.agents }, AND: [byKeyPrefix(g, "agents", "target")] },
      { targetKind: { in: AUDIT_TARGETS.spot }, AND: [byKeyPrefix(g, "spot", "target")] },
      { targetKind: { in: AUDIT_TARGETS.autoscalers }, AND: [byKeyPrefix(g, "autoscalers", "target")] },
      { targetKind: DPACP_KIND, AND: [byClusterWide(g, "profiles")] },
      { targetKind: { in: AUDIT_TARGETS.cluster }, AND: [byCluster(g)] },
    ],
  })),
  MetadataSend: personOnly((g) => ({
    OR: [
      { forwarder: "crd", AND: [byKeyPrefix(g, "agents", "object")] },
      { forwarder: "helm", AND: [byKeyPrefix(g, "helm", "object")] },
    ],
  })),
  MetadataForwarder: personOnly((g) => byCluster(g)),
  AutoscalingGate: personOnly((g) => byCluster(g)),
  SpotWorkload: personOnly((g) => byNamespace(g, "spot")),
  SpotEvent: personOnly((g) => byKeyPrefix(g, "spot", "workloadKey", SPOT_WORKLOAD_KINDS)),
  PodAutoscaler: personOnly((g) => byNamespace(g, "autoscalers")),
  PodAutoscalerProfile: personOnly((g) => byClusterWide(g, "profiles")),
  Agent: personOnly((g) => byNamespace(g, "agents")),
  AgentRevision: personOnly((g) => byKeyPrefix(g, "agents", "agentKey")),
  Experiment: personOnly((g) => byKeyPrefix(g, "agents", "agentKey")),
  AgentRollout: personOnly((g) => byKeyPrefix(g, "agents", "agentKey")),
  AccessSubject: own("key"),
  AccessCheck: own("subject"),
  AccessAnswer: own("subject"),
  // Never read through a scope: sessions (server/sessions.ts), the change feed (server/live/),
  // the clusters' database logins (the owner's scripts).
  Session: never("id"),
  Change: never("id"),
  ClusterLogin: never("role"),
};
