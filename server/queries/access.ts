import "server-only";
import { encodeSubject, qualifiedResource, type Permission, type ResourceAccess } from "@/lib/access";
import type { ReadScope } from "../scope/read-scope";

/** What the page says of the actor's access: the clusters still checking it (they show nothing yet). */
export interface AccessStatusDto {
  checking: { id: string; name: string }[];
}

export async function accessStatus(scope: ReadScope): Promise<AccessStatusDto> {
  return { checking: scope.checking };
}

const ALLOWED: Permission = { state: "allowed", reason: "" };

/** A question about an object of one cluster: each cluster's RBAC answers for its own objects. */
export type ClusterQuestion = ResourceAccess & { clusterId: string };

/**
 * The viewer's permission for each question, in order, as that cluster's controller last asked
 * its API server. Actors with the controller's power (loopback, the admin token) are "allowed".
 */
export async function permissions(scope: ReadScope, questions: ClusterQuestion[]): Promise<Permission[]> {
  if (!scope.actor.subject) return questions.map(() => ALLOWED);
  const rows = await scope.db.accessAnswer.findMany({
    where: {
      subject: encodeSubject(scope.actor.subject),
      clusterId: { in: [...new Set(questions.map((q) => q.clusterId))] },
      namespace: { in: [...new Set(questions.map((q) => q.namespace))] },
    },
  });
  return questions.map((q) => {
    const row = rows.find(
      (r) =>
        r.clusterId === q.clusterId &&
        r.verb === q.verb &&
        r.resource === qualifiedResource(q) &&
        r.namespace === q.namespace &&
        r.name === q.name,
    );
    if (!row) return { state: "unchecked", reason: "" };
    return row.allowed ? ALLOWED : { state: "denied", reason: row.reason };
  });
}
