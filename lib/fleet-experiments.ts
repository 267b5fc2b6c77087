// Fleet experiments (docs/fleet-experiments.md): one candidate change rolled across clusters in
// waves, each cluster running an ordinary experiment under its health gate, halted and put back
// everywhere on the first sign of trouble. This module is the contract between the dashboard
// (which plans, starts and steers one) and the fleet driver (which runs it): the spec's schema,
// the phases and per-cluster states, the JSON columns, and which person's request a phase allows.
import { z } from "zod";
import { experimentId, formatIssues, healthGateSettings, namespacedName, partialAgentSpec } from "./commands";
import { selectorProblem } from "./labels";
import { jsonColumn } from "./read-model/json-column";

const selectorText = z
  .string()
  .trim()
  .min(1, "the selector is empty")
  .max(500)
  .superRefine((text, ctx) => {
    const problem = selectorProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const clusterName = z.string().trim().min(1).max(63);

/**
 * A wave: which clusters (by name, by a selector on their labels, or a share of the clusters not
 * reached by an earlier wave), how many of them change at once, how long each stays healthy
 * before it counts as passed (its bake), and whether it starts by itself once the wave before
 * it passed or waits for a person's approval.
 */
export const waveSpec = z
  .object({
    clusters: z.array(clusterName).min(1).max(500).optional(),
    clusterSelector: selectorText.optional(),
    /** A share (1-100 %) of the eligible clusters no earlier wave took, rounded up. */
    percent: z.number().int().min(1).max(100).optional(),
    /** Clusters changed at once in this wave (default: all of the wave's). */
    maxConcurrent: z.number().int().min(1).max(1000).optional(),
    /** Each cluster's candidate stays healthy this long before it is promoted (seconds). */
    bakeSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(0),
    /** automatic: starts once the wave before passed; manual: waits for a person to approve it. */
    approval: z.enum(["automatic", "manual"]).default("automatic"),
  })
  .strict()
  .superRefine((wave, ctx) => {
    const given = [wave.clusters, wave.clusterSelector, wave.percent].filter((v) => v !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: "a wave takes exactly one of clusters (names), clusterSelector or percent",
      });
    }
  });

export type WaveSpec = z.infer<typeof waveSpec>;

export const fleetExperimentSpec = z
  .object({
    /** Unique among fleet experiments; also the id of its experiment in every cluster. */
    name: experimentId.refine(
      (name) => name !== "new",
      `"new" is the address of the page that starts a fleet experiment: choose another name`,
    ),
    /** The candidate change: the same RFC 7386 merge patch as an experiment's config. */
    config: partialAgentSpec,
    /** The DatadogAgents it changes in each cluster: by namespace/name, or a selector on their labels. */
    agents: z.array(namespacedName).min(1).max(50).optional(),
    agentSelector: selectorText.optional(),
    waves: z.array(waveSpec).min(1, "at least one wave").max(20, "at most 20 waves"),
    /** Each cluster's experiment is rolled back by its controller after this long (default: the controller's). */
    timeoutSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .optional(),
    healthGate: healthGateSettings.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if ((spec.agents === undefined) === (spec.agentSelector === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "name the DatadogAgents with exactly one of agents or agentSelector",
      });
    }
    const longestBake = Math.max(...spec.waves.map((w) => w.bakeSeconds));
    if (spec.timeoutSeconds !== undefined && spec.timeoutSeconds < longestBake + 60) {
      ctx.addIssue({
        code: "custom",
        path: ["timeoutSeconds"],
        message: `each cluster's experiment must outlive its bake: at least ${longestBake + 60} s (the longest bake, ${longestBake} s, plus a minute to roll out)`,
      });
    }
  });

export type FleetExperimentSpec = z.infer<typeof fleetExperimentSpec>;
export type FleetExperimentSpecInput = z.input<typeof fleetExperimentSpec>;

export type ParsedFleetSpec = { ok: true; spec: FleetExperimentSpec } | { ok: false; error: string };

export function parseFleetSpec(input: unknown): ParsedFleetSpec {
  const result = fleetExperimentSpec.safeParse(input);
  return result.success ? { ok: true, spec: result.data } : { ok: false, error: formatIssues(result.error) };
}

// ---- What runs: phases and per-cluster states ----

/**
 * running: a wave is under way; waiting-approval: the next wave waits for a person; paused:
 * nothing new starts and nothing is promoted (each cluster's own health gate and timeout still
 * act, and trouble still halts it); halting: every cluster it touched is being put back;
 * halted: done putting back (a cluster that cannot be reached is left to its own timeout);
 * promoted: every wave passed.
 */
export const FLEET_PHASES = [
  "running",
  "waiting-approval",
  "paused",
  "halting",
  "halted",
  "promoted",
] as const;
export type FleetPhase = (typeof FLEET_PHASES)[number];

export const FINAL_FLEET_PHASES: ReadonlySet<FleetPhase> = new Set<FleetPhase>(["halted", "promoted"]);

/**
 * A DatadogAgent of a cluster in a fleet experiment: waiting for its turn; running (the
 * experiment started, the candidate rolling out); baking (the candidate healthy, for the
 * wave's bake time); passed (promoted); failed (its experiment ended by itself: the health
 * gate's reason, a timeout, an outside edit, a refused command); restoring (put back to its
 * baseline, not confirmed yet); restored (its current revision is the baseline again,
 * confirmed); restore-failed (its controller refused the restore); unreachable (its
 * controllers stopped reporting); not-reached (the fleet experiment halted before its turn).
 */
export const TARGET_STATES = [
  "waiting",
  "running",
  "baking",
  "passed",
  "failed",
  "restoring",
  "restored",
  "restore-failed",
  "unreachable",
  "not-reached",
] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** The per-cluster commands a fleet experiment sends; each at most once per DatadogAgent (FleetStep). */
export const FLEET_STEPS = ["start", "promote", "stop", "restore"] as const;
export type FleetStepName = (typeof FLEET_STEPS)[number];

// ---- The plan the person confirmed ----

export interface PlannedAgent {
  /** "namespace/name" */
  key: string;
  /** Its current revision when planned (the baseline it should come back to). */
  currentRevision: string | null;
  /** Nodes its agent DaemonSet should run on. */
  nodes: number;
  /** Agent pods that change (every pod of its DaemonSet and Deployment rolls). */
  pods: number;
}

export interface PlannedCluster {
  clusterId: string;
  clusterName: string;
  agents: PlannedAgent[];
}

export interface PlannedWave {
  clusters: PlannedCluster[];
  bakeSeconds: number;
  /** Clusters changed at once (all of the wave's when the spec said nothing). */
  maxConcurrent: number;
  approval: "automatic" | "manual";
}

/**
 * Why a cluster is left out: no DatadogAgent matches; its controllers do not report; one of its
 * DatadogAgents runs an experiment; the person may not change its agents (the stored answers of
 * FLEETDECK_AUTHZ=kubernetes); it is part of another running fleet experiment; the candidate
 * changes nothing there; no wave selects it.
 */
export const LEFT_OUT_REASONS = [
  "no-matching-agent",
  "not-reporting",
  "experiment-running",
  "not-allowed",
  "in-fleet-experiment",
  "no-change",
  "no-wave",
] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];

export interface LeftOutCluster {
  clusterId: string;
  clusterName: string;
  reason: LeftOutReason;
  detail: string;
}

export interface FleetPlan {
  waves: PlannedWave[];
  leftOut: LeftOutCluster[];
}

/** FleetExperiment.spec and FleetExperiment.plan. */
export const fleetSpecColumn = jsonColumn<FleetExperimentSpec>();
export const fleetPlanColumn = jsonColumn<FleetPlan>();

// ---- What a person may ask, in which phase (the buttons and the server actions agree) ----

export type FleetRequest = "approve" | "advance" | "pause" | "resume" | "abort";

/** Why `request` cannot be made in `phase`, or null when it can. */
export function fleetRequestRefusal(request: FleetRequest, phase: FleetPhase): string | null {
  const allowed: Record<FleetRequest, FleetPhase[]> = {
    approve: ["waiting-approval"],
    advance: ["running"],
    pause: ["running", "waiting-approval"],
    resume: ["paused"],
    abort: ["running", "waiting-approval", "paused"],
  };
  if (allowed[request].includes(phase)) return null;
  const verb = { approve: "approve", advance: "advance", pause: "pause", resume: "resume", abort: "abort" }[
    request
  ];
  return `cannot ${verb} a fleet experiment that is ${phase}`;
}
