// The stored answers to "may this person do this?" (AccessAnswer), which the dashboard reads to
// disable a button with the reason before the click, for this controller's cluster. The people
// are those the dashboard saw through its trusted proxy (AccessSubject, fleet-wide, written by
// the dashboard); the objects are those it shows buttons for in this cluster: every DatadogAgent
// (experiments, rollbacks) and every spot workload.
import {
  commandAccess,
  encodeSubject,
  qualifiedResource,
  type ResourceAccess,
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
        if (changed) {
          await recordChange(tx, TOPICS.agents);
          await recordChange(tx, TOPICS.spot);
        }
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
        if (count > 0) {
          await recordChange(tx, TOPICS.agents);
          await recordChange(tx, TOPICS.spot);
        }
      }),
    );
  }
}
