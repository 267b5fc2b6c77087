// The agents read model in the store: the agent as last reconciled, every revision that ever
// became current (with why and by whom: the cluster keeps three, this keeps them all), and
// every experiment, each row of this controller's cluster. Each write announces itself on the
// change feed in the same transaction. Specs, configs and free texts go through the one redactor
// (lib/redact.ts) on the way in; a revision stored redacted says so (specRedacted) and cannot be
// restored from here.
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import {
  redactSpec,
  type AgentStatus,
  type ExperimentOutcome,
  type ExperimentPhase,
  type RevisionCause,
} from "../../lib/agents";
import { canonicalJson, type Json } from "../../lib/merge-patch";
import { redactSecrets, redactText } from "../../lib/redact";
import {
  experimentConfigColumn,
  experimentStatusColumn,
  rolloutColumn,
  specColumn,
  type NewExperimentRow,
} from "../../lib/read-model/agents";
import { rolloutState, type AgentRollout } from "../../lib/rollout";
import { TOPICS, type Topic } from "../../lib/topics";
import { recordAudit, type AuditEntry } from "../store/audit";
import { recordChange } from "../store/changes";

type Tx = Pick<Database, "agent" | "agentRevision" | "agentRollout" | "experiment" | "auditEvent" | "change">;

export interface AgentSnapshot {
  key: string;
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  /** metadata.labels: what a fleet experiment's agentSelector matches. */
  labels?: Record<string, string>;
  spec: Json;
  status: AgentStatus;
  renderError: string | null;
}

export interface RevisionEntry {
  agentKey: string;
  name: string;
  hash: string;
  /** The defaulted spec; redacted before it is stored. */
  spec: Json;
  cause: RevisionCause;
  actor: string;
  experimentId?: string | null;
}

export interface ExperimentEnd {
  phase: ExperimentPhase;
  outcome: ExperimentOutcome;
  reason: string;
  endedBy: string;
}

export class AgentReadModel {
  /** Fingerprint of the agent row last written per key, so a no-op reconcile writes nothing. */
  private readonly written = new Map<string, string>();
  /** Likewise for the rollout rows. */
  private readonly rollouts = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
  ) {}

  private transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return withRetry(() => this.db.$transaction((tx) => work(tx)));
  }

  /**
   * Writes the agent row (when it changed) together with a revision that became current.
   */
  async syncAgent(snapshot: AgentSnapshot, extra: { revision?: RevisionEntry } = {}): Promise<void> {
    const spec = redactSpec(snapshot.spec).spec;
    const row = {
      namespace: snapshot.namespace,
      name: snapshot.name,
      uid: snapshot.uid,
      generation: snapshot.generation,
      labels: JSON.stringify(snapshot.labels ?? {}),
      spec: specColumn.encode(spec),
      currentRevision: snapshot.status.currentRevision ?? null,
      previousRevision: snapshot.status.previousRevision ?? null,
      experiment: experimentStatusColumn.encode(snapshot.status.experiment ?? null),
      renderError: snapshot.renderError && redactText(snapshot.renderError),
      deletedAt: null,
    };
    const fingerprint = canonicalJson(row);
    const changed = this.written.get(snapshot.key) !== fingerprint;
    if (!changed && !extra.revision) return;
    const clusterId = this.clusterId;
    await this.transaction(async (tx) => {
      const now = new Date();
      const revision = extra.revision ? await insertRevisionIfNew(tx, clusterId, extra.revision) : false;
      const lastChange = revision
        ? { lastChange: `${extra.revision!.cause} by ${extra.revision!.actor}`, lastChangeAt: now }
        : {};
      await tx.agent.upsert({
        where: { clusterId_key: { clusterId, key: snapshot.key } },
        create: { clusterId, key: snapshot.key, ...row, ...lastChange, reconciledAt: now },
        update: { ...row, ...lastChange, reconciledAt: now },
      });
      await announce(tx, snapshot.key, revision ? [TOPICS.agents, TOPICS.revisions] : [TOPICS.agents]);
    });
    this.written.set(snapshot.key, fingerprint);
  }

  /**
   * Writes the rollout rows that changed, in one transaction; `null` removes an agent's row (it
   * is gone). Many pod events make many rollouts: the caller batches them (RolloutWriter).
   */
  async syncRollouts(rollouts: Map<string, AgentRollout | null>): Promise<void> {
    const changed = [...rollouts].flatMap(([key, rollout]) => {
      const encoded = rollout ? rolloutColumn.encode(rollout) : "";
      return this.rollouts.get(key) === encoded ? [] : [{ key, rollout, encoded }];
    });
    if (changed.length === 0) return;
    await this.transaction(async (tx) => {
      const now = new Date();
      for (const { key, rollout, encoded } of changed) {
        if (!rollout) {
          await tx.agentRollout.deleteMany({ where: { clusterId: this.clusterId, agentKey: key } });
        } else {
          const row = { state: rolloutState(rollout), rollout: encoded, updatedAt: now };
          await tx.agentRollout.upsert({
            where: { clusterId_agentKey: { clusterId: this.clusterId, agentKey: key } },
            create: { clusterId: this.clusterId, agentKey: key, ...row },
            update: row,
          });
        }
        await announce(tx, key, [TOPICS.agents]);
      }
    });
    for (const { key, encoded } of changed) this.rollouts.set(key, encoded);
  }

  async markDeleted(key: string): Promise<void> {
    this.written.delete(key);
    await this.transaction(async (tx) => {
      const { count } = await tx.agent.updateMany({
        where: { clusterId: this.clusterId, key, deletedAt: null },
        data: { deletedAt: new Date() },
      });
      if (count === 0) return;
      await tx.agentRevision.updateMany({
        where: { clusterId: this.clusterId, agentKey: key },
        data: { inCluster: false },
      });
      await announce(tx, key, [TOPICS.agents, TOPICS.revisions]);
    });
  }

  /** Records which of the agent's revisions the cluster still holds. */
  async setInCluster(agentKey: string, names: string[], inCluster: boolean): Promise<void> {
    if (names.length === 0) return;
    await this.transaction(async (tx) => {
      const { count } = await tx.agentRevision.updateMany({
        where: { clusterId: this.clusterId, agentKey, name: { in: names }, inCluster: !inCluster },
        data: { inCluster },
      });
      if (count > 0) await announce(tx, agentKey, [TOPICS.revisions]);
    });
  }

  /** A promotion confirms the current revision: a history entry of its own. */
  async recordPromotion(entry: RevisionEntry, end: ExperimentEnd, audit: AuditEntry): Promise<void> {
    await this.transaction(async (tx) => {
      await insertRevision(tx, this.clusterId, entry);
      await endExperiment(tx, this.clusterId, entry.agentKey, entry.experimentId!, end);
      await recordAudit(tx, this.clusterId, audit);
      await announce(tx, entry.agentKey, [TOPICS.revisions, TOPICS.experiments]);
    });
  }

  /** The latest stored spec of a revision of this agent (for restoring what the cluster dropped). */
  async revisionSpec(agentKey: string, name: string): Promise<{ spec: Json; redacted: boolean } | undefined> {
    const row = await this.db.agentRevision.findFirst({
      where: { clusterId: this.clusterId, agentKey, name },
      orderBy: { id: "desc" },
      select: { spec: true, specRedacted: true },
    });
    return row ? { spec: specColumn.decode(row.spec), redacted: row.specRedacted } : undefined;
  }

  /**
   * The experiment's row, written before the cluster is changed (so the reconcile that follows
   * finds it); forgetExperiment removes it if the start then fails.
   */
  async startExperiment(experiment: NewExperimentRow): Promise<void> {
    await this.transaction(async (tx) => {
      // A retried start (same id, still running) updates its row instead of adding one.
      const existing = await tx.experiment.findFirst({
        where: {
          clusterId: this.clusterId,
          agentKey: experiment.agentKey,
          experimentId: experiment.experimentId,
          phase: "running",
        },
        orderBy: { id: "desc" },
      });
      const data = {
        ...experiment,
        clusterId: this.clusterId,
        config: experimentConfigColumn.encode(redactSecrets(experiment.config)),
        phase: "running",
      };
      if (existing)
        await tx.experiment.update({ where: { id: existing.id, clusterId: this.clusterId }, data });
      else await tx.experiment.create({ data });
      await announce(tx, experiment.agentKey, [TOPICS.experiments]);
    });
  }

  /** Undoes startExperiment's row when the start failed half-way (the cluster was reverted). */
  async forgetExperiment(agentKey: string, experimentId: string): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.experiment.deleteMany({
        where: { clusterId: this.clusterId, agentKey, experimentId, phase: "running", startedAt: null },
      });
      await announce(tx, agentKey, [TOPICS.experiments]);
    });
  }

  async experimentStarted(agentKey: string, experimentId: string, startedAt: Date): Promise<void> {
    await this.transaction(async (tx) => {
      const { count } = await tx.experiment.updateMany({
        where: { clusterId: this.clusterId, agentKey, experimentId, phase: "running", startedAt: null },
        data: { startedAt },
      });
      if (count > 0) await announce(tx, agentKey, [TOPICS.experiments]);
    });
  }

  /**
   * Records who asks to stop, before the stop reaches the cluster: the reconciler names them
   * when it rolls back, which may happen before the stop command finishes.
   */
  async stopRequested(agentKey: string, experimentId: string, actor: string): Promise<void> {
    await this.transaction((tx) =>
      tx.experiment.updateMany({
        where: { clusterId: this.clusterId, agentKey, experimentId, outcome: null },
        data: { endedBy: actor },
      }),
    );
  }

  /** Who stopped the experiment, as recorded by the stop command. */
  async stoppedBy(agentKey: string, experimentId: string): Promise<string | undefined> {
    const row = await this.db.experiment.findFirst({
      where: { clusterId: this.clusterId, agentKey, experimentId },
      orderBy: { id: "desc" },
      select: { endedBy: true },
    });
    return row?.endedBy ?? undefined;
  }

  async endExperiment(
    agentKey: string,
    experimentId: string,
    end: ExperimentEnd,
    audit: AuditEntry,
  ): Promise<void> {
    await this.transaction(async (tx) => {
      await endExperiment(tx, this.clusterId, agentKey, experimentId, end);
      await recordAudit(tx, this.clusterId, audit);
      await announce(tx, agentKey, [TOPICS.experiments]);
    });
  }

  /**
   * Ends the experiment's row with its audit row, once: false (and nothing written) when the
   * row was already ended, so a decision recorded before a crash is not recorded twice.
   */
  async endExperimentOnce(
    agentKey: string,
    experimentId: string,
    end: ExperimentEnd,
    audit: AuditEntry,
  ): Promise<boolean> {
    return this.transaction(async (tx) => {
      if (!(await endExperiment(tx, this.clusterId, agentKey, experimentId, end))) return false;
      await recordAudit(tx, this.clusterId, audit);
      await announce(tx, agentKey, [TOPICS.experiments]);
      return true;
    });
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.transaction((tx) => recordAudit(tx, this.clusterId, entry));
  }
}

async function endExperiment(
  tx: Tx,
  clusterId: string,
  agentKey: string,
  experimentId: string,
  end: ExperimentEnd,
): Promise<boolean> {
  const row = await tx.experiment.findFirst({
    where: { clusterId, agentKey, experimentId, outcome: null },
    orderBy: { id: "desc" },
    select: { id: true },
  });
  if (!row) return false;
  await tx.experiment.update({
    where: { id: row.id, clusterId },
    data: {
      phase: end.phase,
      outcome: end.outcome,
      reason: redactText(end.reason),
      endedBy: end.endedBy,
      endedAt: new Date(),
    },
  });
  return true;
}

/** Adds the entry unless the agent's latest entry already is this revision (a retried reconcile). */
async function insertRevisionIfNew(tx: Tx, clusterId: string, entry: RevisionEntry): Promise<boolean> {
  const latest = await tx.agentRevision.findFirst({
    where: { clusterId, agentKey: entry.agentKey },
    orderBy: { id: "desc" },
    select: { name: true },
  });
  if (latest?.name === entry.name) return false;
  await insertRevision(tx, clusterId, entry);
  return true;
}

async function insertRevision(tx: Tx, clusterId: string, entry: RevisionEntry): Promise<void> {
  const { spec, redacted } = redactSpec(entry.spec);
  await tx.agentRevision.create({
    data: {
      clusterId,
      agentKey: entry.agentKey,
      name: entry.name,
      hash: entry.hash,
      spec: specColumn.encode(spec),
      specRedacted: redacted,
      cause: entry.cause,
      actor: entry.actor,
      experimentId: entry.experimentId ?? null,
    },
  });
  // A revision that just became current is in the cluster (its ControllerRevision was ensured).
  await tx.agentRevision.updateMany({
    where: { clusterId, agentKey: entry.agentKey, name: entry.name, inCluster: false },
    data: { inCluster: true },
  });
}

async function announce(tx: Tx, key: string, topics: Topic[]): Promise<void> {
  for (const topic of topics) await recordChange(tx, topic, key);
}
