// "Can I?" — SelfSubjectAccessReview, as `kubectl auth can-i` asks it.
import { AuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";

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

export async function canI(kc: KubeConfig, q: AccessQuestion): Promise<AccessAnswer> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: {
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
    },
  });
  const status = review.status;
  return { allowed: status?.allowed === true, reason: status?.reason ?? status?.evaluationError ?? "" };
}

/** Asks several questions; allowed only when every one is. */
export async function canIAll(
  kc: KubeConfig,
  questions: AccessQuestion[],
): Promise<AccessAnswer & { denied: AccessQuestion[] }> {
  const answers = await Promise.all(questions.map((q) => canI(kc, q)));
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
