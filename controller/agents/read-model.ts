// The agents read model in the store: the agent as last reconciled (with the revision pointers
// the operator's status has no field for), every revision that ever became current (with why
// and by whom: the cluster keeps three, this keeps them all), and every experiment with what
// fleetdeck keeps of it beside the status, each row of this controller's cluster. Each write announces itself on the
// change feed in the same transaction. Specs, configs and free texts go through the one redactor
// (lib/redact.ts) on the way in; a revision stored redacted says so (specRedacted) and cannot be
// restored from here.
import type { Database } from "../../lib/db/open";
import { withRetry } from "../../lib/db/open";
import {
  END_REASONS,
  redactSpec,
  type AgentStatus,
  type EndReason,
  type ExperimentStatus,
  type RevisionCause,
} from "../../lib/agents";
import { splitTarget } from "../../lib/commands";
import type { Experiment } from "../../lib/db/models";
import { canonicalJson, type Json } from "../../lib/merge-patch";
import { redactSecrets, redactText } from "../../lib/redact";
import type { Condition } from "../../lib/conditions";
import {
  conditionsColumn,
  experimentConfigColumn,
  experimentStatusColumn,
  healthGateColumn,
  ignoredFieldsColumn,
  rolloutColumn,
  specColumn,
  type NewExperimentRow,
} from "../../lib/read-model/agents";
import { rolloutState, type AgentRollout } from "../../lib/rollout";
import { TOPICS, type Topic } from "../../lib/topics";
import { recordAudit, type AuditEntry } from "../store/audit";
import { recordChange } from "../store/changes";
import { appendRows, changeRow, selectRows, type RowBatch, type RowUpdate } from "../store/rows";
import type { ClusterExperiment } from "./experiment";
import { hashOfRevisionName } from "./hash";

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
  /** fleetdeck's conditions, as written to the status (none when absent). */
  conditions?: Condition[];
  /** The spec's fields fleetdeck does not render (none when absent). */
  ignoredFields?: string[];
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
  end: EndReason;
  /** What happened, in words ("timed out after 900 s without a promote"). */
  detail: string;
  endedBy: string;
}

/**
 * fleetdeck's view of the experiment the cluster's status names: the operator's fields, and
 * its store's row beside them (baseline, timeout, gate, whether the candidate landed, an end
 * decided but not yet shown).
 */
export function experimentView(
  agentName: string,
  cluster: ClusterExperiment,
  row: Experiment | null,
): ExperimentStatus {
  const view: ExperimentStatus = { ...cluster };
  if (!row) return view;
  view.baselineRevision = row.baselineRevision;
  view.timeoutSeconds = row.timeoutSeconds;
  if (row.healthGate) view.healthGate = healthGateColumn.decode(row.healthGate);
  if (!row.landedAt) {
    const hash = hashOfRevisionName(agentName, row.candidateRevision);
    if (hash) view.expectedSpecHash = hash;
  }
  if (cluster.phase === "running" && row.endReason && Object.hasOwn(END_REASONS, row.endReason)) {
    view.ending = row.endReason as EndReason;
  }
  return view;
}

/** The revision pointers of an agent's row as this process last wrote them. */
interface Pointers {
  uid: string;
  currentRevision: string | null;
  previousRevision: string | null;
}

export class AgentReadModel {
  // What this process last wrote, so a reconcile neither re-writes nor re-reads it. Only the
  // leader writes these rows; forgetWritten() drops it all when leadership ends (./setup.ts).
  /** Fingerprint of the agent row last written per key, so a no-op reconcile writes nothing. */
  private readonly written = new Map<string, string>();
  /** Likewise for the rollout rows. */
  private readonly rollouts = new Map<string, string>();
  private readonly pointers = new Map<string, Pointers>();
  /** The name of each agent's latest revision entry (null: none). */
  private readonly latestRevision = new Map<string, string | null>();
  /** Per agent, revision name → inCluster as every entry of that name has it. */
  private readonly inCluster = new Map<string, Map<string, boolean>>();

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
      conditions: conditionsColumn.encode(snapshot.conditions ?? []),
      ignoredFields: ignoredFieldsColumn.encode(snapshot.ignoredFields ?? []),
      deletedAt: null,
    };
    const fingerprint = canonicalJson(row);
    const changed = this.written.get(snapshot.key) !== fingerprint;
    if (!changed && !extra.revision) return;
    // Hot path: one transaction of prepared statements (controller/store/rows.ts), not Prisma's.
    const clusterId = this.clusterId;
    const now = new Date();
    const revision =
      extra.revision && (await this.latestRevisionName(extra.revision.agentKey)) !== extra.revision.name
        ? extra.revision
        : undefined;
    const cells: Record<string, string | number | Date | null> = {
      clusterId,
      key: snapshot.key,
      ...row,
      ...(revision ? { lastChange: `${revision.cause} by ${revision.actor}`, lastChangeAt: now } : {}),
      reconciledAt: now,
    };
    await withRetry(() =>
      appendRows(this.db, [
        ...(revision ? revisionWrites(clusterId, revision, now) : []),
        {
          table: "Agent",
          columns: Object.keys(cells),
          rows: [Object.values(cells)],
          upsertOn: ["clusterId", "key"],
        },
        changeRow(TOPICS.agents, snapshot.key, now),
        ...(revision ? [changeRow(TOPICS.revisions, snapshot.key, now)] : []),
      ]),
    );
    if (revision) {
      this.latestRevision.set(snapshot.key, revision.name);
      this.markInCluster(snapshot.key, [revision.name], true);
    }
    this.written.set(snapshot.key, fingerprint);
    this.pointers.set(snapshot.key, {
      uid: snapshot.uid,
      currentRevision: row.currentRevision,
      previousRevision: row.previousRevision,
    });
  }

  /** Forgets what this process wrote (its leadership ended: another may write meanwhile). */
  forgetWritten(): void {
    this.written.clear();
    this.rollouts.clear();
    this.pointers.clear();
    this.latestRevision.clear();
    this.inCluster.clear();
  }

  private markInCluster(agentKey: string, names: string[], inCluster: boolean): void {
    const known = this.inCluster.get(agentKey) ?? new Map<string, boolean>();
    for (const name of names) known.set(name, inCluster);
    this.inCluster.set(agentKey, known);
  }

  /** The agent's latest revision entry, read once per process and then kept. */
  private async latestRevisionName(agentKey: string): Promise<string | null> {
    if (this.latestRevision.has(agentKey)) return this.latestRevision.get(agentKey)!;
    const latest = await this.db.agentRevision.findFirst({
      where: { clusterId: this.clusterId, agentKey },
      orderBy: { id: "desc" },
      select: { name: true },
    });
    this.latestRevision.set(agentKey, latest?.name ?? null);
    return latest?.name ?? null;
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
    const now = new Date();
    const gone = changed.filter((c) => !c.rollout).map((c) => c.key);
    const upserts: RowBatch = {
      table: "AgentRollout",
      columns: ["clusterId", "agentKey", "state", "rollout", "updatedAt"],
      rows: changed.flatMap(({ key, rollout, encoded }) =>
        rollout ? [[this.clusterId, key, rolloutState(rollout), encoded, now]] : [],
      ),
      upsertOn: ["clusterId", "agentKey"],
    };
    const deletes: RowUpdate[] = gone.map((key) => ({
      sql: 'DELETE FROM "AgentRollout" WHERE "clusterId" = ? AND "agentKey" = ?',
      params: [this.clusterId, key],
    }));
    const announced: RowBatch = {
      ...changeRow(TOPICS.agents, "", now),
      rows: changed.map(({ key }) => [TOPICS.agents, key, now]),
    };
    await withRetry(() => appendRows(this.db, [upserts, ...deletes, announced]));
    for (const { key, encoded } of changed) this.rollouts.set(key, encoded);
  }

  async markDeleted(key: string): Promise<void> {
    this.written.delete(key);
    this.pointers.delete(key);
    this.inCluster.delete(key);
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
  async setInCluster(agentKey: string, all: string[], inCluster: boolean): Promise<void> {
    // Only names whose entries this process has not already seen so (a GC repeats its kept set).
    const names = all.filter((name) => this.inCluster.get(agentKey)?.get(name) !== inCluster);
    if (names.length === 0) return;
    // No entry at all (a new agent, read a moment ago): nothing to update.
    if (this.latestRevision.get(agentKey) === null) {
      this.markInCluster(agentKey, names, inCluster);
      return;
    }
    await this.transaction(async (tx) => {
      const { count } = await tx.agentRevision.updateMany({
        where: { clusterId: this.clusterId, agentKey, name: { in: names }, inCluster: !inCluster },
        data: { inCluster },
      });
      if (count > 0) await announce(tx, agentKey, [TOPICS.revisions]);
    });
    this.markInCluster(agentKey, names, inCluster);
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
   * What fleetdeck knows of an agent beside its status (docs/experiments.md, "Where the state
   * lives"): the revision pointers it recorded for this agent (not those of an earlier agent of
   * the same name), and its store's part of the experiment the status names.
   */
  async state(
    key: string,
    uid: string,
    cluster: ClusterExperiment | undefined,
  ): Promise<{ status: AgentStatus; row: Experiment | null }> {
    const written = this.pointers.get(key);
    const [agent, row] = await Promise.all([
      written ? { ...written, deletedAt: null } : this.readPointers(key),
      cluster?.id ? this.experimentRow(key, cluster.id) : Promise.resolve(null),
    ]);
    const mine = agent && agent.uid === uid && !agent.deletedAt ? agent : null;
    const status: AgentStatus = {
      ...(mine?.currentRevision ? { currentRevision: mine.currentRevision } : {}),
      ...(mine?.previousRevision ? { previousRevision: mine.previousRevision } : {}),
    };
    if (cluster) status.experiment = experimentView(splitTarget(key).name, cluster, row);
    return { status, row };
  }

  /**
   * The agent's row as stored (an agent this process has not written yet) and, in the same
   * statement, the name of its latest revision entry: one prepared read on the hot path.
   */
  private async readPointers(key: string): Promise<(Pointers & { deletedAt: unknown }) | null> {
    const [found] = await selectRows<{
      uid: string | null;
      currentRevision: string | null;
      previousRevision: string | null;
      deletedAt: unknown;
      latestRevision: string | null;
    }>(
      this.db,
      'SELECT a."uid" AS "uid", a."currentRevision" AS "currentRevision", a."previousRevision" AS "previousRevision", ' +
        'a."deletedAt" AS "deletedAt", (SELECT r."name" FROM "AgentRevision" r WHERE r."clusterId" = ? AND r."agentKey" = ? ' +
        'ORDER BY r."id" DESC LIMIT 1) AS "latestRevision" FROM (SELECT 1 AS "one") o ' +
        'LEFT JOIN "Agent" a ON a."clusterId" = ? AND a."key" = ?',
      [this.clusterId, key, this.clusterId, key],
    );
    this.latestRevision.set(key, found?.latestRevision ?? null);
    if (!found?.uid) return null;
    return {
      uid: found.uid,
      currentRevision: found.currentRevision,
      previousRevision: found.previousRevision,
      deletedAt: found.deletedAt,
    };
  }

  /** The latest row of an experiment of this agent. */
  experimentRow(agentKey: string, experimentId: string): Promise<Experiment | null> {
    return this.db.experiment.findFirst({
      where: { clusterId: this.clusterId, agentKey, experimentId },
      orderBy: { id: "desc" },
    });
  }

  /**
   * The experiment's row, written before the cluster is changed (so the reconcile that follows
   * finds it); forgetExperiment removes it if the start then fails.
   */
  async startExperiment(experiment: NewExperimentRow, audit?: AuditEntry): Promise<void> {
    await this.transaction(async (tx) => {
      // A retried start (same id, still running) updates its row instead of adding one.
      const existing = await tx.experiment.findFirst({
        where: {
          clusterId: this.clusterId,
          agentKey: experiment.agentKey,
          experimentId: experiment.experimentId,
          phase: "running",
          outcome: null,
        },
        orderBy: { id: "desc" },
      });
      const data = {
        ...experiment,
        clusterId: this.clusterId,
        config: experimentConfigColumn.encode(redactSecrets(experiment.config)),
        healthGate: healthGateColumn.encode(experiment.healthGate),
        phase: "running",
      };
      if (existing)
        await tx.experiment.update({ where: { id: existing.id, clusterId: this.clusterId }, data });
      else await tx.experiment.create({ data });
      if (audit) await recordAudit(tx, this.clusterId, audit);
      await announce(tx, experiment.agentKey, [TOPICS.experiments]);
    });
  }

  /** Undoes startExperiment's row when the start failed half-way (the cluster was reverted). */
  async forgetExperiment(agentKey: string, experimentId: string): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.experiment.deleteMany({
        where: { clusterId: this.clusterId, agentKey, experimentId, phase: "running", landedAt: null },
      });
      await announce(tx, agentKey, [TOPICS.experiments]);
    });
  }

  /** The candidate's spec was reconciled: from now on any other spec change is a conflict. */
  async candidateLanded(agentKey: string, experimentId: string, at: Date): Promise<void> {
    await this.transaction(async (tx) => {
      const { count } = await tx.experiment.updateMany({
        where: { clusterId: this.clusterId, agentKey, experimentId, landedAt: null, outcome: null },
        data: { landedAt: at },
      });
      if (count > 0) await announce(tx, agentKey, [TOPICS.experiments]);
    });
  }

  /**
   * Records fleetdeck's decision to end an experiment, once, with its audit row (and, for a
   * promote, the revision history entry that confirms the candidate): false, and nothing
   * written, when it had already ended. Written before the cluster is, so a restart finishes
   * the decision instead of taking another.
   */
  async decideEnd(
    agentKey: string,
    experimentId: string,
    end: ExperimentEnd,
    audit: AuditEntry,
    revision?: RevisionEntry,
  ): Promise<boolean> {
    return this.transaction(async (tx) => {
      const row = await tx.experiment.findFirst({
        where: { clusterId: this.clusterId, agentKey, experimentId, outcome: null },
        orderBy: { id: "desc" },
        select: { id: true },
      });
      if (!row) return false;
      const mapped = END_REASONS[end.end];
      await tx.experiment.update({
        where: { id: row.id, clusterId: this.clusterId },
        data: {
          phase: mapped.phase,
          outcome: mapped.outcome,
          endReason: end.end,
          reason: redactText(end.detail),
          endedBy: end.endedBy,
          endedAt: new Date(),
        },
      });
      if (revision) await insertRevision(tx, this.clusterId, revision);
      await recordAudit(tx, this.clusterId, audit);
      // The revision entry is the agent's latest once this commits; unknown if it does not.
      if (revision) {
        this.latestRevision.delete(agentKey);
        this.inCluster.get(agentKey)?.delete(revision.name);
      }
      await announce(tx, agentKey, revision ? [TOPICS.experiments, TOPICS.revisions] : [TOPICS.experiments]);
      return true;
    });
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.transaction((tx) => recordAudit(tx, this.clusterId, entry));
  }
}

/** A revision entry as rows: the new entry, and its earlier entries marked in the cluster again. */
function revisionWrites(clusterId: string, entry: RevisionEntry, at: Date): (RowBatch | RowUpdate)[] {
  const { spec, redacted } = redactSpec(entry.spec);
  return [
    {
      table: "AgentRevision",
      columns: [
        "clusterId",
        "agentKey",
        "name",
        "hash",
        "spec",
        "specRedacted",
        "cause",
        "actor",
        "experimentId",
        "at",
      ],
      rows: [
        [
          clusterId,
          entry.agentKey,
          entry.name,
          entry.hash,
          specColumn.encode(spec),
          redacted,
          entry.cause,
          entry.actor,
          entry.experimentId ?? null,
          at,
        ],
      ],
    },
    {
      // As insertRevision: a revision that just became current is in the cluster.
      sql: 'UPDATE "AgentRevision" SET "inCluster" = ? WHERE "clusterId" = ? AND "agentKey" = ? AND "name" = ? AND "inCluster" = ?',
      params: [true, clusterId, entry.agentKey, entry.name, false],
    },
  ];
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
