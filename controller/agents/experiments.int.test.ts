// The experiment lifecycle end to end on the real API server and the operator's CRD: commands
// in the store, the reconciler in this process, the operator's status.experiment (phases
// running, terminated with a terminationReason, promoted, aborted), what fleetdeck keeps in its
// store beside it, Events and the read model. Timeouts are per-experiment and short.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/open";
import { parseSignal } from "../../lib/signals";
import {
  agentClient,
  agentEvents,
  agentState,
  conditionOf,
  createApiKeySecret,
  currentRevision,
  daemonSetRevision,
  startAgents,
  submit,
  watchPhases,
} from "../../test/agents";
import type { ControllerUnderTest } from "../../test/controller";
import { createTestDatabase } from "../../testing/database";
import { controllerKubeConfig, eventually, testNamespace, uniqueName } from "../../test/harness";
import { CHANGE_CAUSE_ANNOTATION } from "./api";
import { revisionName, specHash } from "./hash";
import { AgentReadModel } from "./read-model";

const ns = testNamespace("experiments");
const agents = () => agentClient(ns.kc);
const baselineSpec = {
  global: {
    clusterName: "test",
    credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
  },
  features: { apm: { enabled: true } },
};
let db: Database;
let controller: ControllerUnderTest;

beforeAll(async () => {
  ({ db } = await createTestDatabase("experiments"));
  await createApiKeySecret(ns.kc, ns.name);
  controller = await startAgents(controllerKubeConfig(), db);
});
afterAll(async () => {
  await controller?.stop();
});

/** A new reconciled agent in the test namespace. */
async function newAgent(prefix: string, spec: Record<string, unknown> = baselineSpec) {
  const name = uniqueName(prefix);
  await agents().create(ns.name, name, spec);
  const baseline = revisionName(name, specHash(spec));
  await currentRevision(ns.kc, db, ns.name, name, baseline);
  return { name, target: `${ns.name}/${name}`, baseline };
}

const eventReasons = async (name: string) =>
  (await agentEvents(ns.kc, ns.name, name)).map((e) => `${e.reason}: ${e.note}`);

/** The operator's status.experiment, as the cluster has it. */
const clusterExperiment = async (name: string) => (await agents().get(ns.name, name)).status?.experiment;

describe("start → stop", () => {
  it("runs the candidate, then restores the baseline: phase terminated, terminationReason stopped", async () => {
    const { name, target, baseline } = await newAgent("stop");
    const watch = watchPhases(ns.kc, ns.name, name);
    await watch.ready();
    const config = { features: { logCollection: { enabled: true } } };
    const candidate = revisionName(
      name,
      specHash({ ...baselineSpec, features: { ...baselineSpec.features, ...config.features } }),
    );

    const start = await submit(db, "start-experiment", target, {
      experimentId: "exp-1",
      config,
      timeoutSeconds: 600,
    });
    expect(start).toMatchObject({
      status: "applied",
      message: expect.stringContaining(`candidate ${candidate}`),
    });
    // The cluster has the operator's fields; fleetdeck's store has the baseline, the timeout, the landing.
    const state = await eventually(async () => {
      const s = await currentRevision(ns.kc, db, ns.name, name, candidate);
      expect(s.experiment).toMatchObject({ phase: "running", id: "exp-1", baselineRevision: baseline });
      expect(s.experiment?.expectedSpecHash).toBeUndefined(); // the candidate landed
      return s;
    });
    expect(state.experiment?.timeoutSeconds).toBe(600);
    const running = await agents().get(ns.name, name);
    expect(Object.keys(running.status!.experiment!).sort()).toEqual(["id", "phase", "startedAt"]);
    expect(running.spec).toMatchObject({
      features: { apm: { enabled: true }, logCollection: { enabled: true } },
    });
    expect(conditionOf(running, "FleetdeckExperiment")).toMatchObject({ status: "True", reason: "Running" });
    await eventually(async () => expect(await daemonSetRevision(ns.kc, ns.name, name)).toBe(candidate));

    const stop = await submit(db, "stop-experiment", target, { experimentId: "exp-1" }, { actor: "bob" });
    expect(stop).toMatchObject({
      status: "applied",
      message: expect.stringContaining(`baseline ${baseline}`),
    });
    await eventually(async () =>
      expect(await clusterExperiment(name)).toEqual({
        phase: "terminated",
        terminationReason: "stopped",
        id: "exp-1",
        startedAt: running.status!.experiment!.startedAt,
      }),
    );
    const back = await currentRevision(ns.kc, db, ns.name, name, baseline);
    expect(back.previousRevision).toBe(candidate);
    const agent = await agents().get(ns.name, name);
    expect(specHash(agent.spec)).toBe(specHash(baselineSpec));
    expect(conditionOf(agent, "FleetdeckExperiment")).toMatchObject({
      status: "False",
      reason: "Stopped",
      message: "experiment exp-1 terminated (stopped): stopped by bob",
    });
    await eventually(async () => expect(await daemonSetRevision(ns.kc, ns.name, name)).toBe(baseline));
    await eventually(() => expect(watch.phases).toEqual(["none", "running", "terminated (stopped)"]));
    await watch.stop();

    await eventually(async () => {
      const reasons = await eventReasons(name);
      expect(reasons).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ExperimentStarted: Experiment exp-1 started by alice/),
          expect.stringMatching(
            /^ExperimentRolledBack: Experiment exp-1 rolled back: stopped by bob; baseline/,
          ),
        ]),
      );
    });
    const experiment = await db.experiment.findFirstOrThrow({
      where: { agentKey: target, experimentId: "exp-1" },
    });
    expect(experiment).toMatchObject({
      actor: "alice",
      phase: "terminated",
      endReason: "stopped",
      outcome: "rolled-back",
      endedBy: "bob",
      baselineRevision: baseline,
      candidateRevision: candidate,
      timeoutSeconds: 600,
    });
    expect(experiment.startedAt).not.toBeNull();
    expect(experiment.landedAt).not.toBeNull();
    expect(experiment.endedAt).not.toBeNull();
    const history = await db.agentRevision.findMany({ where: { agentKey: target }, orderBy: { id: "asc" } });
    expect(history.map((r) => [r.name, r.cause, r.actor])).toEqual([
      [baseline, "user-edit", expect.stringContaining("outside edit")],
      [candidate, "experiment-start", "alice"],
      [baseline, "rollback", "bob"],
    ]);
    const audits = (await db.auditEvent.findMany({ where: { target, source: "controller" } })).map(
      (a) => a.action,
    );
    expect(audits).toEqual(expect.arrayContaining(["experiment.started", "experiment.stop-requested"]));
  });
});

describe("start → promote", () => {
  it("keeps the candidate, phase promoted, and records the promotion", async () => {
    const { name, target, baseline } = await newAgent("promote");
    const config = { global: { tags: ["team:experiments"] } };
    await submit(db, "start-experiment", target, { experimentId: "exp-p", config });
    const candidate = revisionName(
      name,
      specHash({ ...baselineSpec, global: { ...baselineSpec.global, ...config.global } }),
    );
    await eventually(async () => {
      const s = await currentRevision(ns.kc, db, ns.name, name, candidate);
      expect(s.experiment?.expectedSpecHash).toBeUndefined();
    });
    const promote = await submit(db, "promote-experiment", target, { experimentId: "exp-p" });
    expect(promote).toMatchObject({
      status: "applied",
      message: expect.stringContaining(`keeps revision ${candidate}`),
    });
    await eventually(async () => expect((await clusterExperiment(name))?.phase).toBe("promoted"));
    expect((await clusterExperiment(name))?.terminationReason).toBeUndefined();
    expect((await agentState(db, target)).currentRevision).toBe(candidate);
    expect((await agents().get(ns.name, name)).spec).toMatchObject(config);
    expect(await daemonSetRevision(ns.kc, ns.name, name)).toBe(candidate);
    await eventually(async () =>
      expect(await eventReasons(name)).toContainEqual(
        expect.stringMatching(/^ExperimentPromoted: Experiment exp-p promoted by alice/),
      ),
    );
    const history = await db.agentRevision.findMany({ where: { agentKey: target }, orderBy: { id: "asc" } });
    expect(history.map((r) => [r.name, r.cause])).toEqual([
      [baseline, "user-edit"],
      [candidate, "experiment-start"],
      [candidate, "promote"],
    ]);
    expect(await db.experiment.findFirstOrThrow({ where: { agentKey: target } })).toMatchObject({
      phase: "promoted",
      endReason: "promoted",
      outcome: "promoted",
      endedBy: "alice",
    });
  });
});

describe("timeout", () => {
  it("restores the baseline at startedAt + the per-experiment timeout: terminated, timed_out", async () => {
    const { name, target, baseline } = await newAgent("timeout");
    await submit(db, "start-experiment", target, {
      experimentId: "exp-t",
      config: { global: { logLevel: "debug" } },
      timeoutSeconds: 10,
    });
    const startedAt = await eventually(async () => {
      const exp = await clusterExperiment(name);
      expect(exp?.startedAt).toBeDefined();
      return new Date(exp!.startedAt!).getTime();
    });
    await eventually(
      async () =>
        expect(await clusterExperiment(name)).toMatchObject({
          phase: "terminated",
          terminationReason: "timed_out",
        }),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    const experiment = await db.experiment.findFirstOrThrow({
      where: { agentKey: target, experimentId: "exp-t" },
    });
    expect(experiment).toMatchObject({
      outcome: "timed-out",
      endReason: "timed_out",
      endedBy: "fleetdeck (timeout)",
    });
    // Not before the deadline, and at it, not at the next resync (minutes away): a few seconds
    // of margin for a busy machine (startedAt has whole seconds).
    expect(experiment.endedAt!.getTime()).toBeGreaterThanOrEqual(startedAt + 10_000);
    expect(experiment.endedAt!.getTime()).toBeLessThan(startedAt + 10_000 + 8_000);
    await eventually(async () =>
      expect(await eventReasons(name)).toContainEqual(
        expect.stringMatching(/^ExperimentTimedOut: Experiment exp-t timed out after 10 s without a promote/),
      ),
    );
    await eventually(async () => expect(await daemonSetRevision(ns.kc, ns.name, name)).toBe(baseline));
  });
});

describe("conflicts", () => {
  it("an outside edit during an experiment aborts it with a Warning Event; the edit stays", async () => {
    const { name, target } = await newAgent("abort");
    await submit(db, "start-experiment", target, {
      experimentId: "exp-a",
      config: { global: { logLevel: "warn" } },
    });
    await eventually(async () => {
      const s = await agentState(db, target);
      expect(s.experiment?.phase).toBe("running");
      expect(s.experiment?.expectedSpecHash).toBeUndefined();
    });
    const edited = { ...baselineSpec, global: { ...baselineSpec.global, logLevel: "error" } };
    await agents().replaceSpec(ns.name, name, edited, "kubectl-edit");
    await eventually(async () => expect((await clusterExperiment(name))?.phase).toBe("aborted"));
    const aborted = await agents().get(ns.name, name);
    expect(aborted.status?.experiment).toMatchObject({ id: "exp-a" });
    expect(aborted.status?.experiment?.terminationReason).toBeUndefined();
    expect(aborted.spec).toMatchObject({ global: { logLevel: "error" } }); // not restored
    expect(conditionOf(aborted, "FleetdeckExperiment")).toMatchObject({
      status: "False",
      reason: "Conflict",
      message: expect.stringContaining("edited during the experiment"),
    });
    await currentRevision(ns.kc, db, ns.name, name, revisionName(name, specHash(edited)));
    await eventually(async () => {
      const event = (await agentEvents(ns.kc, ns.name, name)).find((e) => e.reason === "ExperimentAborted");
      expect(event?.type).toBe("Warning");
      expect(event?.note).toContain("Experiment exp-a aborted");
      expect(event?.note).toContain("field manager kubectl-edit");
    });
    expect(await db.experiment.findFirstOrThrow({ where: { agentKey: target } })).toMatchObject({
      outcome: "aborted",
      endReason: "conflict",
      endedBy: "outside edit (field manager kubectl-edit)",
    });
    // Aborted is terminal until the next start, which is accepted.
    const next = await submit(db, "start-experiment", target, {
      experimentId: "exp-a2",
      config: { global: { logLevel: "info" } },
    });
    expect(next.status).toBe("applied");
  });

  it("status before spec: the candidate is expected until its spec lands; a different spec aborts", async () => {
    const { name, target, baseline } = await newAgent("race");
    const custom = ns.kc.makeApiClient(CustomObjectsApi);
    const readModel = new AgentReadModel(db, (await db.cluster.findFirstOrThrow()).id);
    const candidateSpec = { ...baselineSpec, features: { apm: { enabled: false } } };
    /** As the start handler does (its row, then the status), with the spec write held back. */
    const startWithoutSpec = async (id: string, expected: unknown) => {
      const startedAt = new Date();
      await readModel.startExperiment({
        agentKey: target,
        experimentId: id,
        actor: "test",
        source: "dashboard",
        config: {},
        timeoutSeconds: 600,
        baselineRevision: baseline,
        candidateRevision: revisionName(name, specHash(expected)),
        startedAt,
        healthGate: { enabled: true, thresholdPercent: 10, graceSeconds: 120 },
      });
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: "datadoghq.com",
          version: "v2alpha1",
          plural: "datadogagents",
          namespace: ns.name,
          name,
          body: {
            status: {
              experiment: {
                phase: "running",
                id,
                startedAt: startedAt.toISOString().replace(/\.\d+Z$/, "Z"),
                terminationReason: null,
              },
            },
          },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    };
    await startWithoutSpec("exp-race", candidateSpec);
    // A reconcile on it keeps waiting for the candidate.
    await eventually(async () => {
      const agent = await agents().get(ns.name, name);
      expect(conditionOf(agent, "FleetdeckExperiment")).toMatchObject({ reason: "Running" });
      expect((await agentState(db, target)).experiment?.expectedSpecHash).toBe(specHash(candidateSpec));
    });
    await agents().replaceSpec(ns.name, name, candidateSpec, "fleet-automation");
    await eventually(async () => {
      const s = await currentRevision(ns.kc, db, ns.name, name, revisionName(name, specHash(candidateSpec)));
      expect(s.experiment).toMatchObject({ phase: "running" });
      expect(s.experiment?.expectedSpecHash).toBeUndefined();
    });
    // Same race, but someone else's spec arrives instead of the experiment's: abort.
    await submit(db, "stop-experiment", target, { experimentId: "exp-race" });
    await eventually(async () => expect((await clusterExperiment(name))?.phase).toBe("terminated"));
    await startWithoutSpec("exp-race-2", { ...baselineSpec, global: { logLevel: "debug" } });
    await eventually(async () => expect((await agentState(db, target)).experiment?.id).toBe("exp-race-2"));
    await agents().replaceSpec(ns.name, name, { ...baselineSpec, global: { logLevel: "trace" } });
    await eventually(async () => expect((await clusterExperiment(name))?.phase).toBe("aborted"));
    // Events are recorded after the status write the loop above saw.
    await eventually(async () =>
      expect((await eventReasons(name)).join("\n")).toContain("does not match the experiment's config"),
    );
  });
});

describe("stale and mismatched signals", () => {
  it("stop/promote with no experiment, a wrong id, or an ended experiment are ignored with the reason", async () => {
    const { target } = await newAgent("stale");
    expect(await submit(db, "stop-experiment", target, { experimentId: "nope" })).toMatchObject({
      status: "ignored",
      message: "no experiment to stop: none is running",
    });
    await submit(db, "start-experiment", target, {
      experimentId: "exp-s",
      config: { global: { logLevel: "debug" } },
    });
    expect(await submit(db, "promote-experiment", target, { experimentId: "exp-other" })).toMatchObject({
      status: "ignored",
      message: "experiment id mismatch: the running experiment is exp-s, not exp-other",
    });
    expect(
      await submit(db, "start-experiment", target, {
        experimentId: "exp-2",
        config: { global: { logLevel: "warn" } },
      }),
    ).toMatchObject({
      status: "rejected",
      message: expect.stringContaining("an experiment is active (phase=running, id=exp-s)"),
    });
    expect((await submit(db, "promote-experiment", target, { experimentId: "exp-s" })).status).toBe(
      "applied",
    );
    expect(await submit(db, "stop-experiment", target, { experimentId: "exp-s" })).toMatchObject({
      status: "ignored",
      message: expect.stringMatching(
        /not running \(phase=promoted\)|already ending \(promoted\)|has already ended/,
      ),
    });
  });

  it("the Remote Config payload drives the same handlers (as POST /api/signals inserts it)", async () => {
    const { name, target, baseline } = await newAgent("signal");
    const signal = (body: object) => {
      const parsed = parseSignal(JSON.stringify(body));
      if (!parsed.ok) throw new Error(parsed.error.message);
      return submit(db, parsed.kind, target, parsed.payload, { actor: "fleet-automation", source: "signal" });
    };
    expect(
      await signal({
        action: "startExperiment",
        experiment_id: "fa-1",
        config: { features: { npm: { enabled: true } } },
      }),
    ).toMatchObject({ status: "applied" });
    await eventually(async () => {
      const s = await agentState(db, target);
      expect(s.experiment?.phase).toBe("running");
      expect(s.currentRevision).not.toBe(baseline);
    });
    expect(await signal({ action: "stopExperiment", experiment_id: "fa-1" })).toMatchObject({
      status: "applied",
    });
    await eventually(async () => expect((await clusterExperiment(name))?.terminationReason).toBe("stopped"));
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    expect(await db.experiment.findFirstOrThrow({ where: { agentKey: target } })).toMatchObject({
      source: "signal",
      actor: "fleet-automation",
      outcome: "rolled-back",
    });
    const agent = await agents().get(ns.name, name);
    expect(JSON.parse(agent.metadata.annotations![CHANGE_CAUSE_ANNOTATION]!)).toMatchObject({
      cause: "rollback",
      actor: "fleet-automation",
      experimentId: "fa-1",
    });
  });
});
