// "Can I?" — SelfSubjectAccessReview, as `kubectl auth can-i` asks it.
import type { KubeClient } from "./client";

export interface AccessQuestion {
  verb: string;
  /** API group: "" for the core group; must be explicit (metadata.md: a wrong group is a denial). */
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface AccessAnswer {
  allowed: boolean;
  /** The authorizer's reason when it gave one, or why the review failed. */
  reason: string;
}

interface AccessReview {
  status?: { allowed?: boolean; reason?: string; evaluationError?: string };
}

export async function canI(client: KubeClient, q: AccessQuestion): Promise<AccessAnswer> {
  const review = await client.create<AccessReview>("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: {
      resourceAttributes: {
        verb: q.verb,
        group: q.group,
        resource: q.resource,
        namespace: q.namespace,
        name: q.name,
        subresource: q.subresource,
      },
    },
  });
  const status = review.status;
  return { allowed: status?.allowed === true, reason: status?.reason ?? status?.evaluationError ?? "" };
}

/** Asks several questions; allowed only when every one is. */
export async function canIAll(
  client: KubeClient,
  questions: AccessQuestion[],
): Promise<AccessAnswer & { denied: AccessQuestion[] }> {
  const answers = await Promise.all(questions.map((q) => canI(client, q)));
  const denied = questions.filter((_, i) => !answers[i]!.allowed);
  return {
    allowed: denied.length === 0,
    denied,
    reason: answers
      .map((a) => a.reason)
      .filter(Boolean)
      .join("; "),
  };
}
