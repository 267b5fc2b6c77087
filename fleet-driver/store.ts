// The fleet driver's rows: the fleet experiments still in progress, what the store says about each
// of their DatadogAgents (through signals.ts), and one transaction per decision that writes the
// per-cluster commands with their idempotency keys (FleetStep), the new states, the audit rows,
// the notifications and the change feed together, guarded by the fleet experiment's version. A
// decision is stored whole or not at all: a driver that crashes, or loses its lease to one that
// decided first, leaves nothing half-written, and the next decision starts from what is stored.
import type { Subject } from "../lib/access";
import { decodeSubject } from "../lib/access";
import type { CommandKind } from "../lib/commands";
import { checkCommand, writeCommand, type NewCommand } from "../lib/db/commands";
import { ringDoorbell } from "../lib/db/doorbell";
import { withRetry, type Database } from "../lib/db/open";
import { clusterReport } from "../lib/controller-status";
import {
  fleetPlanColumn,
  fleetSpecColumn,
  type FleetExperimentSpec,
  type FleetPhase,
  type FleetPlan,
  type FleetStepName,
  type TargetState,
} from "../lib/fleet-experiments";
import { plannedTargets } from "../lib/fleet-plan";
import { experimentStatusColumn, rolloutColumn } from "../lib/read-model/agents";
import { redactText } from "../lib/redact";
import { TOPICS } from "../lib/topics";
import {
  NEW_TARGET,
  targetKey,
  type CommandRequest,
  type FleetDecision,
  type FleetEvent,
  type FleetEventKind,
  type FleetMemo,
  type TargetInput,
  type TargetMemo,
  type TargetRef,
} from "./rules";
import { targetSignal, type TargetRows } from "./signals";

/** Who the driver's own audit rows name. */
export const DRIVER_ACTOR = "fleetdeck (fleet driver)";

/** Decisions that reach the webhook (the start's is written by the dashboard). */
const NOTIFIED: ReadonlySet<FleetEventKind> = new Set<FleetEventKind>([
  "wave-passed",
  "waiting-approval",
  "halted",
  "promoted",
]);

export interface ActiveFleetExperiment {
  id: number;
  name: string;
  version: number;
  spec: FleetExperimentSpec;
  plan: FleetPlan;
  memo: FleetMemo;
  actor: string;
  actorAuth: string;
  identity: Subject | null;
  refs: TargetRef[];
  memos: Map<string, TargetMemo>;
}

export class VersionConflict extends Error {
  override name = "VersionConflict";
}

const time = (d: Date | null) => (d ? d.getTime() : null);
const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export class FleetStore {
  constructor(private readonly db: Database) {}

  /** Fleet experiments not settled yet (in progress, or halted with a cluster still to confirm). */
  async loadActive(): Promise<ActiveFleetExperiment[]> {
    const rows = await this.db.fleetExperiment.findMany({
      where: { settledAt: null },
      orderBy: { id: "asc" },
    });
    if (rows.length === 0) return [];
    const targets = await this.db.fleetTarget.findMany({
      where: { fleetExperimentId: { in: rows.map((r) => r.id) } },
    });
    return rows.map((row) => {
      const plan = fleetPlanColumn.decode(row.plan);
      const memos = new Map<string, TargetMemo>();
      for (const t of targets.filter((t) => t.fleetExperimentId === row.id)) {
        memos.set(targetKey(t), {
          state: t.state as TargetState,
          detail: t.detail,
          healthySince: time(t.healthySince),
          failure: t.failure,
          baselineRevision: t.baselineRevision,
          candidateRevision: t.candidateRevision,
          restoredAt: time(t.restoredAt),
        });
      }
      return {
        id: row.id,
        name: row.name,
        version: row.version,
        spec: fleetSpecColumn.decode(row.spec),
        plan,
        memo: {
          phase: row.phase as FleetPhase,
          wave: row.wave,
          approvedWave: row.approvedWave,
          advancedWave: row.advancedWave,
          haltCause: row.haltCause,
        },
        actor: row.actor,
        actorAuth: row.actorAuth,
        identity: decodeSubject(row.identity),
        refs: plannedTargets(plan).map((t) => ({
          wave: t.wave,
          clusterId: t.clusterId,
          clusterName: t.clusterName,
          agentKey: t.agent.key,
        })),
        memos,
      };
    });
  }

  /** What the store says now about each DatadogAgent of the fleet experiment, in plan order. */
  async observe(fx: ActiveFleetExperiment, now: number): Promise<TargetInput[]> {
    const clusterIds = [...new Set(fx.refs.map((r) => r.clusterId))];
    const pairs = fx.refs.map((r) => ({ clusterId: r.clusterId, key: r.agentKey }));
    const [heartbeats, steps, experiments, agents, rollouts] = await Promise.all([
      this.db.controllerHeartbeat.findMany({
        where: { clusterId: { in: clusterIds } },
        select: { clusterId: true, lastSeenAt: true, stoppedAt: true },
      }),
      this.db.fleetStep.findMany({ where: { fleetExperimentId: fx.id } }),
      this.db.experiment.findMany({
        where: { clusterId: { in: clusterIds }, experimentId: fx.name },
        orderBy: { id: "desc" },
      }),
      this.db.agent.findMany({
        where: { OR: pairs },
        select: { clusterId: true, key: true, currentRevision: true, experiment: true },
      }),
      this.db.agentRollout.findMany({
        where: { OR: pairs.map((p) => ({ clusterId: p.clusterId, agentKey: p.key })) },
      }),
    ]);
    const commands =
      steps.length === 0
        ? []
        : await this.db.command.findMany({
            where: { id: { in: steps.map((s) => s.commandId) } },
            select: { id: true, status: true, message: true },
          });
    return fx.refs.map((ref): TargetInput => {
      const report = clusterReport(
        heartbeats.filter((h) => h.clusterId === ref.clusterId),
        now,
      );
      const own = (r: { clusterId: string }) => r.clusterId === ref.clusterId;
      const rows: TargetRows = {
        reporting: report.report === "reporting",
        lastHeartbeatAt: report.lastHeartbeatAt,
        commands: {},
        experiment: experiments.find((e) => own(e) && e.agentKey === ref.agentKey) ?? null,
        agent: null,
        rollout: null,
      };
      for (const step of steps.filter((s) => own(s) && s.agentKey === ref.agentKey)) {
        const command = commands.find((c) => c.id === step.commandId);
        if (command) rows.commands[step.step as FleetStepName] = command;
      }
      const agent = agents.find((a) => own(a) && a.key === ref.agentKey);
      if (agent) {
        rows.agent = {
          currentRevision: agent.currentRevision,
          experiment: experimentStatusColumn.decode(agent.experiment),
        };
      }
      const rollout = rollouts.find((r) => own(r) && r.agentKey === ref.agentKey);
      if (rollout) rows.rollout = rolloutColumn.decode(rollout.rollout);
      return { ref, memo: fx.memos.get(targetKey(ref)) ?? NEW_TARGET, signal: targetSignal(rows, fx.name) };
    });
  }

  /**
   * Stores a decision whole: the fleet experiment's new memo (guarded by the version it was
   * decided from; a VersionConflict when a person or another driver wrote first), each command
   * with its FleetStep key (a duplicate key fails the whole transaction: a command is never
   * sent twice), the targets' states, an audit row per event, the notifications and the change
   * feed. Rings the command doorbells after the commit.
   */
  async commit(fx: ActiveFleetExperiment, decision: FleetDecision, now: number): Promise<number[]> {
    const commands = decision.commands.map((request) => this.command(fx, request));
    const at = new Date(now);
    const ids = await withRetry(() =>
      this.db.$transaction(async (tx) => {
        const { count } = await tx.fleetExperiment.updateMany({
          where: { id: fx.id, version: fx.version },
          data: {
            phase: decision.fleet.phase,
            wave: decision.fleet.wave,
            haltCause: decision.fleet.haltCause && redactText(decision.fleet.haltCause),
            version: fx.version + 1,
            updatedAt: at,
            ...(decision.fleet.phase === "halting" && fx.memo.phase !== "halting" ? { haltedAt: at } : {}),
            ...(decision.settled ? { settledAt: at } : {}),
          },
        });
        if (count !== 1) throw new VersionConflict(`fleet experiment ${fx.name} changed since it was read`);
        const ids: number[] = [];
        for (const [request, command] of commands) {
          const commandId = await writeCommand(tx, command);
          await tx.fleetStep.create({
            data: {
              fleetExperimentId: fx.id,
              clusterId: request.ref.clusterId,
              agentKey: request.ref.agentKey,
              step: request.step,
              commandId,
            },
          });
          ids.push(commandId);
        }
        for (const ref of fx.refs) {
          const memo = decision.targets.get(targetKey(ref))!;
          const before = fx.memos.get(targetKey(ref));
          if (before && sameMemo(before, memo)) continue;
          const row = {
            clusterName: ref.clusterName,
            wave: ref.wave,
            state: memo.state,
            detail: redactText(memo.detail),
            failure: memo.failure && redactText(memo.failure),
            baselineRevision: memo.baselineRevision,
            candidateRevision: memo.candidateRevision,
            healthySince: date(memo.healthySince),
            restoredAt: date(memo.restoredAt),
            updatedAt: at,
          };
          await tx.fleetTarget.upsert({
            where: {
              fleetExperimentId_clusterId_agentKey: {
                fleetExperimentId: fx.id,
                clusterId: ref.clusterId,
                agentKey: ref.agentKey,
              },
            },
            create: { fleetExperimentId: fx.id, clusterId: ref.clusterId, agentKey: ref.agentKey, ...row },
            update: row,
          });
        }
        for (const event of decision.events) {
          await tx.auditEvent.create({ data: auditRow(fx, event, at) });
          if (
            NOTIFIED.has(event.kind) ||
            (event.kind === "restore-confirmed" && fx.memo.phase === "halted")
          ) {
            await tx.fleetNotification.create({
              data: {
                fleetExperimentId: fx.id,
                event: event.kind === "restore-confirmed" ? "restored" : event.kind,
                text: redactText(event.text),
              },
            });
          }
        }
        await tx.change.createMany({
          data: [
            { topic: TOPICS.fleetExperiments, key: fx.name },
            ...(decision.events.length > 0 ? [{ topic: TOPICS.audit, key: "" }] : []),
          ],
        });
        return ids;
      }),
    );
    for (const clusterId of new Set(decision.commands.map((c) => c.ref.clusterId))) {
      await ringDoorbell(this.db, clusterId);
    }
    return ids;
  }

  /** The command of a request, as the person who started the fleet experiment sends it. */
  private command(
    fx: ActiveFleetExperiment,
    request: CommandRequest,
  ): [CommandRequest, Parameters<typeof writeCommand>[1]] {
    const { kind, payload } = commandOf(fx, request);
    const input: NewCommand = {
      clusterId: request.ref.clusterId,
      kind,
      target: request.ref.agentKey,
      payload,
      actor: fx.actor,
      actorAuth: fx.actorAuth as NewCommand["actorAuth"],
      ...(fx.identity ? { identity: fx.identity } : {}),
      reason: `fleet experiment ${fx.name}, wave ${request.ref.wave + 1}: ${request.step}`,
      source: "fleet",
    };
    const checked = checkCommand(input);
    // The spec was validated at the start: a command it makes that does not validate is a bug.
    if (!checked.ok)
      throw new Error(
        `fleet experiment ${fx.name}: ${request.step} ${request.ref.agentKey}: ${checked.error}`,
      );
    return [request, checked.command];
  }
}

/** The per-cluster command of a step: the same commands a person sends from an agent's page. */
export function commandOf(
  fx: Pick<ActiveFleetExperiment, "name" | "spec">,
  request: CommandRequest,
): { kind: CommandKind; payload: unknown } {
  const experimentId = fx.name;
  switch (request.step) {
    case "start":
      return {
        kind: "start-experiment",
        payload: {
          experimentId,
          config: fx.spec.config,
          ...(fx.spec.timeoutSeconds ? { timeoutSeconds: fx.spec.timeoutSeconds } : {}),
          ...(fx.spec.healthGate ? { healthGate: fx.spec.healthGate } : {}),
        },
      };
    case "promote":
      return { kind: "promote-experiment", payload: { experimentId } };
    case "stop":
      return { kind: "stop-experiment", payload: { experimentId } };
    case "restore":
      return { kind: "restore-revision", payload: { revision: request.revision } };
  }
}

function sameMemo(a: TargetMemo, b: TargetMemo): boolean {
  return (
    a.state === b.state &&
    a.detail === b.detail &&
    a.healthySince === b.healthySince &&
    a.failure === b.failure &&
    a.baselineRevision === b.baselineRevision &&
    a.candidateRevision === b.candidateRevision &&
    a.restoredAt === b.restoredAt
  );
}

/** Whether a decision changes anything worth a write. */
export function decisionChanges(fx: ActiveFleetExperiment, decision: FleetDecision): boolean {
  if (decision.commands.length > 0 || decision.events.length > 0 || decision.settled) return true;
  const a = fx.memo;
  const b = decision.fleet;
  if (a.phase !== b.phase || a.wave !== b.wave || a.haltCause !== b.haltCause) return true;
  return fx.refs.some((ref) => {
    const before = fx.memos.get(targetKey(ref));
    return !before || !sameMemo(before, decision.targets.get(targetKey(ref))!);
  });
}

function auditRow(fx: ActiveFleetExperiment, event: FleetEvent, at: Date) {
  return {
    clusterId: event.ref?.clusterId ?? null,
    at,
    actor: DRIVER_ACTOR,
    action: `fleet-experiment.${event.kind}`,
    targetKind: "FleetExperiment",
    target: fx.name,
    details: JSON.stringify({
      text: redactText(event.text),
      ...(event.wave !== undefined ? { wave: event.wave + 1 } : {}),
      ...(event.ref ? { cluster: event.ref.clusterName, agent: event.ref.agentKey } : {}),
    }),
    source: "fleet-driver",
  };
}
