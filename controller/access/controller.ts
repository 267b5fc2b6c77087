// Keeps the stored answers current, one key per person the dashboard saw: each reconcile asks
// the API server (SubjectAccessReview) whether that user and groups may do what each button
// would do, and what they may see (lib/access.ts VIEWS: cluster-wide, then in each namespace
// of the read model where cluster-wide is refused), and stores the answers with the refusal's
// sentence. It runs again on every change of a Role, RoleBinding, ClusterRole or
// ClusterRoleBinding (watched when this controller may watch them), for a person the dashboard
// has just seen, and at FLEETDECK_AUTHZ_REFRESH.
import {
  decodeSubject,
  denialMessage,
  encodeSubject,
  NAMESPACED_VIEWS,
  VIEW_NAMES,
  viewQuestion,
  type ResourceAccess,
  type Subject,
} from "../../lib/access";
import { canIAll, canSubject } from "../kube/access-review";
import type { KubeClient } from "../kube/client";
import { Controller, type KeyCodec, type Result } from "../kube/controller";
import type { InformerFactory } from "../kube/informer-factory";
import type { KubeObject } from "../kube/informer";
import type { Runnable } from "../kube/manager";
import type { Logger } from "../log";
import type { AccessReadModel, Answer } from "./read-model";

/** A person not seen by the dashboard for this long is no longer kept up to date. */
export const SUBJECT_IDLE_MS = 24 * 60 * 60 * 1000;
/** SubjectAccessReviews in flight at once. */
const CONCURRENCY = 8;
const RBAC = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"] as const;

export interface AccessRefresherDeps {
  client: KubeClient;
  informers: InformerFactory;
  readModel: AccessReadModel;
  refreshMs: number;
  log: Logger;
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

export async function answersFor(
  client: KubeClient,
  subject: Subject,
  questions: ResourceAccess[],
  signal?: AbortSignal,
): Promise<Answer[]> {
  return pool(questions, CONCURRENCY, async (access) => {
    signal?.throwIfAborted();
    const { allowed } = await canSubject(client, subject, { resource: access });
    return { access, allowed, reason: allowed ? "" : denialMessage(subject, access) };
  });
}

/** The refresher's keys: a person's identity, in the queue as the dashboard stores it. */
export const subjectKeys: KeyCodec<Subject> = {
  encode: encodeSubject,
  decode: (text) => decodeSubject(text) ?? undefined,
};

/** The identities of `keys` (stored subject keys); a key that is not one is left out. */
const subjectsOf = (keys: string[]): Subject[] => keys.flatMap((key) => decodeSubject(key) ?? []);

/** How long after an RBAC change every person is asked again (see askAgainSoon). */
const RBAC_SETTLE_MS = 2_000;

export class AccessRefresher {
  readonly controller: Controller<Subject>;
  /** The people kept up to date: what an RBAC change requeues. */
  private subjects: Subject[] = [];
  private askAgain: NodeJS.Timeout | undefined;

  constructor(private readonly deps: AccessRefresherDeps) {
    this.controller = new Controller({
      name: "access-answers",
      keyCodec: subjectKeys,
      reconcile: (subject, signal) => this.reconcile(subject, signal),
      initialKeys: async () => (this.subjects = subjectsOf(await deps.readModel.subjects(this.seenSince()))),
      rateLimiter: { baseDelayMs: 1_000, maxDelayMs: 60_000 },
      log: deps.log,
    });
  }

  /** Leader only: watches RBAC where allowed (pollSubjects() looks for new people meanwhile). */
  readonly rbacWatch: Runnable = {
    name: "access-rbac",
    leaderOnly: true,
    start: () => this.watchRbac(),
    stop: () => clearTimeout(this.askAgain),
  };

  private seenSince(): Date {
    return new Date(Date.now() - SUBJECT_IDLE_MS);
  }

  private async reconcile(subject: Subject, signal: AbortSignal): Promise<Result> {
    const key = encodeSubject(subject);
    const seen = await this.deps.readModel.subjects(this.seenSince());
    if (!seen.includes(key)) {
      await this.deps.readModel.forget(key, this.seenSince());
      return;
    }
    const answers = await this.ask(subject, signal);
    signal.throwIfAborted();
    const changed = await this.deps.readModel.write(subject, answers);
    if (changed) {
      this.deps.log.debug(
        { user: subject.user, denied: answers.filter((a) => !a.allowed).length, of: answers.length },
        "access answers updated",
      );
    }
    return { requeueAfterMs: this.deps.refreshMs };
  }

  /**
   * Every question for one person: the buttons', each view cluster-wide, and each namespaced
   * view refused cluster-wide in every namespace of the read model (an allowed cluster-wide
   * answer covers them all).
   */
  private async ask(subject: Subject, signal: AbortSignal): Promise<Answer[]> {
    const { client, readModel } = this.deps;
    const [buttons, namespaces] = await Promise.all([readModel.questions(), readModel.viewNamespaces()]);
    const wide = await answersFor(
      client,
      subject,
      VIEW_NAMES.map((view) => viewQuestion(view)),
      signal,
    );
    const refused = NAMESPACED_VIEWS.filter((view) => !wide[VIEW_NAMES.indexOf(view)]!.allowed);
    const narrow = refused.flatMap((view) => namespaces[view].map((ns) => viewQuestion(view, ns)));
    return [
      ...(await answersFor(client, subject, buttons, signal)),
      ...wide,
      ...(await answersFor(client, subject, narrow, signal)),
    ];
  }

  /** Reads the people to keep up to date, and queues those the dashboard has just seen. */
  async pollSubjects(): Promise<void> {
    this.subjects = subjectsOf(await this.deps.readModel.subjects(this.seenSince()));
    for (const subject of subjectsOf(await this.deps.readModel.unchecked())) this.controller.enqueue(subject);
  }

  /**
   * The API server's authorizer learns of an RBAC change from its own informers, a moment after
   * ours: a review made at once may still be answered from its old rules. Every person is asked
   * again shortly after the last change, so such an answer does not stand until the next refresh.
   */
  private askAgainSoon(): void {
    clearTimeout(this.askAgain);
    this.askAgain = setTimeout(() => {
      for (const subject of this.subjects) this.controller.enqueue(subject);
    }, RBAC_SETTLE_MS);
  }

  /** Each RBAC kind this controller may list and watch requeues every person when it changes. */
  private async watchRbac(): Promise<void> {
    for (const resource of RBAC) {
      const question = (verb: string) => ({ verb, group: "rbac.authorization.k8s.io", resource });
      const answer = await canIAll(this.deps.client, [question("list"), question("watch")]).catch(
        (error: Error) => ({ allowed: false, reason: error.message }),
      );
      if (!answer.allowed) {
        this.deps.log.warn(
          { resource, reason: answer.reason },
          "cannot watch RBAC changes; answers are refreshed at FLEETDECK_AUTHZ_REFRESH only",
        );
        continue;
      }
      const informer = this.deps.informers.informer<KubeObject>({
        name: `access-${resource}`,
        path: `/apis/rbac.authorization.k8s.io/v1/${resource}`,
        // Only that something changed matters: keep no rules in memory.
        transform: ({ metadata: { name, namespace, uid, resourceVersion } }) => ({
          metadata: { name, namespace, uid, resourceVersion },
        }),
      });
      this.controller.watch({ informer, keys: () => this.subjects });
      informer.on("add", () => this.askAgainSoon());
      informer.on("update", () => this.askAgainSoon());
      informer.on("delete", () => this.askAgainSoon());
    }
  }
}
