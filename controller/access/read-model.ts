// The stored answers to "may this person do this?" (AccessAnswer), which the dashboard reads to
// disable a button with the reason before the click, for this controller's cluster. The people
// are those the dashboard saw through its trusted proxy (AccessSubject, fleet-wide, written by
// the dashboard); the objects are those it shows buttons for in this cluster: every DatadogAgent
// (experiments, rollbacks) and every spot workload; and what each person may see (read
// authorization, lib/access.ts VIEWS) in the namespaces where this cluster's read model has rows.
import {
  commandAccess,
  encodeSubject,
  NAMESPACE_NAME,
  qualifiedResource,
  type ResourceAccess,
  type NamespacedView,
  type Subject,
} from "../../lib/access";
import { withRetry, type Database } from "../../lib/db/open";
import { TOPICS } from "../../lib/topics";
import { recordChange } from "../store/changes";

export interface Answer {
  access: ResourceAccess;
  allowed: boolean;
  /** The refusal as the command would read it, or "". */
  reason: string;
}

const answerKey = (a: { verb: string; resource: string; namespace: string; name: string }) =>
  `${a.verb} ${a.resource} ${a.namespace}/${a.name}`;

/** Answers changed: what a person may see and do changed, so every page refetches (`access`). */
async function announce(tx: Parameters<typeof recordChange>[0]): Promise<void> {
  for (const topic of [TOPICS.access, TOPICS.agents, TOPICS.spot]) await recordChange(tx, topic);
}

export class AccessReadModel {
  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
  ) {}

  /** Subjects seen by the dashboard since `since`. */
  async subjects(since: Date): Promise<string[]> {
    const rows = await this.db.accessSubject.findMany({
      where: { lastSeenAt: { gte: since } },
      select: { key: true },
    });
    return rows.map((r) => r.key);
  }

  /** Subjects this cluster never answered yet (the dashboard just saw them). */
  async unchecked(): Promise<string[]> {
    const [subjects, checks] = await Promise.all([
      this.db.accessSubject.findMany({ select: { key: true } }),
      this.db.accessCheck.findMany({ where: { clusterId: this.clusterId }, select: { subject: true } }),
    ]);
    const checked = new Set(checks.map((c) => c.subject));
    return subjects.map((r) => r.key).filter((key) => !checked.has(key));
  }

  /** What the dashboard offers to change: one question per DatadogAgent and per spot workload. */
  async questions(): Promise<ResourceAccess[]> {
    const [agents, workloads] = await Promise.all([
      this.db.agent.findMany({
        where: { clusterId: this.clusterId, deletedAt: null },
        select: { key: true },
      }),
      this.db.spotWorkload.findMany({
        where: { clusterId: this.clusterId },
        select: { kind: true, namespace: true, name: true },
      }),
    ]);
    return [
      ...agents.map((a) => commandAccess("restore-revision", a.key, {})!),
      ...workloads.map((w) => commandAccess("disable-spot", `${w.namespace}/${w.name}`, { kind: w.kind })!),
    ];
  }

  /**
   * The namespaces of each namespaced view where this cluster's read model has rows: a person's
   * right to see them is asked there (besides cluster-wide). Rows of a namespace with nothing
   * left in the read model (old audit rows) are seen by those who may see every namespace.
   */
  async viewNamespaces(): Promise<Record<NamespacedView, string[]>> {
    const clusterId = this.clusterId;
    const [agents, workloads, autoscalers, sends] = await Promise.all([
      this.db.agent.groupBy({ by: ["namespace"], where: { clusterId } }),
      this.db.spotWorkload.groupBy({ by: ["namespace"], where: { clusterId } }),
      this.db.podAutoscaler.groupBy({ by: ["namespace"], where: { clusterId } }),
      this.db.metadataSend.groupBy({ by: ["forwarder", "object"], where: { clusterId } }),
    ]);
    const namespaceOf = (object: string) => object.slice(0, Math.max(0, object.indexOf("/")));
    const names = (list: string[]) => [...new Set(list.filter((ns) => NAMESPACE_NAME.test(ns)))].sort();
    return {
      agents: names([
        ...agents.map((r) => r.namespace),
        ...sends.filter((r) => r.forwarder === "crd").map((r) => namespaceOf(r.object)),
      ]),
      helm: names(sends.filter((r) => r.forwarder === "helm").map((r) => namespaceOf(r.object))),
      spot: names(workloads.map((r) => r.namespace)),
      autoscalers: names(autoscalers.map((r) => r.namespace)),
    };
  }

  /**
   * Replaces a subject's answers; the read models that show them (agents, spot) are announced
   * on the change feed only when an answer changed.
   */
  async write(subject: Subject, answers: Answer[], now = new Date()): Promise<boolean> {
    const key = encodeSubject(subject);
    const clusterId = this.clusterId;
    return withRetry(() =>
      this.db.$transaction(async (tx) => {
        const stored = await tx.accessAnswer.findMany({ where: { clusterId, subject: key } });
        const before = new Map(stored.map((row) => [answerKey(row), row]));
        const wanted = new Set<string>();
        let changed = false;
        for (const { access, allowed, reason } of answers) {
          const row = {
            verb: access.verb,
            resource: qualifiedResource(access),
            namespace: access.namespace,
            name: access.name,
          };
          const id = answerKey(row);
          wanted.add(id);
          const old = before.get(id);
          if (old && old.allowed === allowed && old.reason === reason) continue;
          changed = true;
          await tx.accessAnswer.upsert({
            where: { clusterId_subject_verb_resource_namespace_name: { clusterId, subject: key, ...row } },
            create: { clusterId, subject: key, ...row, allowed, reason, checkedAt: now },
            update: { allowed, reason, checkedAt: now },
          });
        }
        const gone = stored.filter((row) => !wanted.has(answerKey(row)));
        for (const row of gone) {
          await tx.accessAnswer.delete({
            where: {
              clusterId_subject_verb_resource_namespace_name: {
                clusterId,
                subject: key,
                verb: row.verb,
                resource: row.resource,
                namespace: row.namespace,
                name: row.name,
              },
            },
          });
        }
        changed ||= gone.length > 0;
        await tx.accessCheck.upsert({
          where: { clusterId_subject: { clusterId, subject: key } },
          create: { clusterId, subject: key, checkedAt: now },
          update: { checkedAt: now },
        });
        if (changed) await announce(tx);
        return changed;
      }),
    );
  }

  /** Forgets a subject nobody has seen for long, and its answers in this cluster. */
  async forget(key: string, seenBefore: Date): Promise<void> {
    const clusterId = this.clusterId;
    await withRetry(() =>
      this.db.$transaction([
        this.db.accessAnswer.deleteMany({ where: { clusterId, subject: key } }),
        this.db.accessCheck.deleteMany({ where: { clusterId, subject: key } }),
        this.db.accessSubject.deleteMany({ where: { key, lastSeenAt: { lt: seenBefore } } }),
      ]),
    );
  }

  /** With authorization off, no button may show an old refusal. */
  async clear(): Promise<void> {
    await withRetry(() =>
      this.db.$transaction(async (tx) => {
        const { count } = await tx.accessAnswer.deleteMany({ where: { clusterId: this.clusterId } });
        await tx.accessCheck.deleteMany({ where: { clusterId: this.clusterId } });
        if (count > 0) await announce(tx);
      }),
    );
  }
}
