// "Can I?", "can they?" and "who is this?": SelfSubjectAccessReview (as `kubectl auth can-i`
// asks it), SubjectAccessReview and TokenReview, through the one client.
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

/** Whom a SubjectAccessReview asks about. */
export interface ReviewedSubject {
  user: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** What is asked: an API resource, or a non-resource URL such as GET /metrics. */
export type ReviewedAttributes =
  { resource: AccessQuestion } | { nonResource: { verb: string; path: string } };

/**
 * "Can they?" — SubjectAccessReview: the API server's authorizers (RBAC and any other) answer
 * for another user and groups, as they would answer that user's own request.
 */
export async function canSubject(
  client: KubeClient,
  subject: ReviewedSubject,
  attributes: ReviewedAttributes,
): Promise<AccessAnswer> {
  const review = await client.create<AccessReview>("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user: subject.user,
      groups: subject.groups,
      uid: subject.uid,
      extra: subject.extra,
      ...("resource" in attributes
        ? {
            resourceAttributes: {
              verb: attributes.resource.verb,
              group: attributes.resource.group,
              resource: attributes.resource.resource,
              namespace: attributes.resource.namespace,
              name: attributes.resource.name,
              subresource: attributes.resource.subresource,
            },
          }
        : { nonResourceAttributes: attributes.nonResource }),
    },
  });
  const status = review.status;
  return { allowed: status?.allowed === true, reason: status?.reason ?? status?.evaluationError ?? "" };
}

export interface TokenIdentity {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type TokenReviewResult =
  { authenticated: true; user: TokenIdentity } | { authenticated: false; error: string };

/** "Whose token is this?" — TokenReview, as the API server authenticates its own clients. */
export async function reviewToken(client: KubeClient, token: string): Promise<TokenReviewResult> {
  const review = await client.create<{
    status?: {
      authenticated?: boolean;
      user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
      error?: string;
    };
  }>("/apis/authentication.k8s.io/v1/tokenreviews", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenReview",
    spec: { token },
  });
  const status = review.status;
  if (status?.authenticated !== true || !status.user?.username) {
    return { authenticated: false, error: status?.error || "the token is not valid" };
  }
  const { username, uid, groups, extra } = status.user;
  return { authenticated: true, user: { username, uid, groups: groups ?? [], extra } };
}
