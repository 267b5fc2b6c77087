// Agent health on the real API server with kwok's simulated failures
// (config/cluster/kwok-stages.yaml): the rollout read model, the spot nodes covered by default,
// and the health gate of experiments (a healthy candidate is left alone, a crash-looping one is
// rolled back by itself, promote is refused while it is unhealthy).
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/open";
import { rolloutColumn } from "../../lib/read-model/agents";
import type { AgentRollout } from "../../lib/rollout";
import {
  agentClient,
  agentEvents,
  agentState,
  daemonSetRevision,
  createApiKeySecret,
  currentRevision,
  startAgents,
  submit,
  watchPhases,
} from "../../test/agents";
import type { ControllerUnderTest } from "../../test/controller";
import { createTestDatabase } from "../../testing/database";
import { controllerKubeConfig, eventually, testNamespace, uniqueName } from "../../test/harness";
import { revisionName, specHash } from "./hash";

const ns = testNamespace("health");
const agents = () => agentClient(ns.kc);
const spec = {
  global: {
    clusterName: "test",
    credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
  },
};
const CRASHLOOP = { override: { nodeAgent: { image: { tag: "7.72.1-crashloop" } } } };
const GRACE_SECONDS = 20;
let db: Database;
let controller: ControllerUnderTest;

beforeAll(async () => {
  ({ db } = await createTestDatabase("health"));
  await createApiKeySecret(ns.kc, ns.name);
  controller = await startAgents(controllerKubeConfig(), db);
});
afterAll(async () => {
  await controller?.stop();
});

async function newAgent(prefix: string) {
  const name = uniqueName(prefix);
  await agents().create(ns.name, name, spec);
  const baseline = revisionName(name, specHash(spec));
  await currentRevision(ns.kc, db, ns.name, name, baseline);
  return { name, target: `${ns.name}/${name}`, baseline };
}

/** The candidate revision, once the experiment's spec write has been reconciled. */
async function landed(name: string): Promise<string> {
  return eventually(async () => {
    const s = await agentState(db, `${ns.name}/${name}`);
    expect(s.experiment?.phase).toBe("running");
    expect(s.experiment?.expectedSpecHash).toBeUndefined();
    return s.currentRevision!;
  });
}

async function rolloutRow(target: string): Promise<AgentRollout> {
  const row = await db.agentRollout.findFirst({ where: { agentKey: target } });
  if (!row) throw new Error(`no rollout row for ${target}`);
  return rolloutColumn.decode(row.rollout);
}

/** The agent's rollout once all six nodes run a ready agent pod at `revision` (and `check` holds). */
async function rolledOut(target: string, revision: string, check: (r: AgentRollout) => void = () => {}) {
  return eventually(
    async () => {
      const r = await rolloutRow(target);
      expect(r.daemonSet).toMatchObject({ desired: 6, ready: 6, updated: 6 });
      expect(JSON.stringify(r.daemonSet.revisions)).toBe(
        JSON.stringify([{ hash: revision.slice(-10), revision, pods: 6, ready: 6, current: true }]),
      );
      check(r);
      return r;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

const gateEvents = async (name: string) =>
  (await agentEvents(ns.kc, ns.name, name)).filter((e) => e.reason === "ExperimentUnhealthy");

describe("coverage", () => {
  it("the agent DaemonSet tolerates the spot taint and runs on all six nodes, spot ones included", async () => {
    const { name, target, baseline } = await newAgent("cover");
    const rollout = await rolledOut(target, baseline, (r) =>
      expect(r.deployment).toMatchObject({ exists: true, desired: 1, ready: 1 }),
    );
    expect(rollout.coverage).toEqual({ nodes: 6, covered: 6, uncovered: [] });
    expect(rollout.problems).toEqual([]);

    const pods = await ns.kc
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: ns.name, labelSelector: "app.kubernetes.io/component=agent" });
    const nodes = pods.items
      .filter((p) => p.metadata?.ownerReferences?.[0]?.name === `${name}-agent`)
      .map((p) => p.spec?.nodeName)
      .sort();
    expect(nodes).toEqual([
      "kwok-on-demand-0",
      "kwok-on-demand-1",
      "kwok-on-demand-2",
      "kwok-spot-0",
      "kwok-spot-1",
      "kwok-spot-2",
    ]);
  });

  it("an empty override list keeps the agent off the spot nodes, and the read model names them with the taint", async () => {
    const name = uniqueName("offspot");
    const target = `${ns.name}/${name}`;
    await agents().create(ns.name, name, { ...spec, override: { nodeAgent: { tolerations: [] } } });
    const rollout = await eventually(
      async () => {
        const r = await rolloutRow(target);
        expect(r.coverage.covered).toBe(3);
        return r;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(rollout.coverage.nodes).toBe(6);
    expect(rollout.coverage.uncovered).toEqual(
      ["kwok-spot-0", "kwok-spot-1", "kwok-spot-2"].map((node) => ({
        node,
        reason: "taint autoscaling.datadoghq.com/capacity-type=interruptible:NoSchedule not tolerated",
      })),
    );
    const row = await db.agentRollout.findFirstOrThrow({ where: { agentKey: target } });
    expect(row.state).toBe("degraded");
  });
});

describe("health-gated experiments", () => {
  it("a healthy experiment is unaffected by the gate: it runs past the grace and can be promoted", async () => {
    const { target, baseline } = await newAgent("healthy");
    await rolledOut(target, baseline);
    const start = await submit(db, "start-experiment", target, {
      experimentId: "ok-1",
      config: { global: { logLevel: "debug" } },
      healthGate: { graceSeconds: 5 },
    });
    expect(start).toMatchObject({
      status: "applied",
      message: expect.stringContaining("unavailable for 5 s"),
    });
    const candidate = await landed(target.split("/")[1]!);
    await rolledOut(target, candidate, (r) =>
      expect(r.candidate).toMatchObject({ experimentId: "ok-1", state: "healthy", pods: 7, ready: 7 }),
    );
    // Well past the grace: still running.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect((await agents().get(ns.name, target.split("/")[1]!)).status?.experiment).toMatchObject({
      phase: "running",
      id: "ok-1",
    });
    // The gate's settings are fleetdeck's: in its store, beside the operator's status.
    expect((await agentState(db, target)).experiment?.healthGate).toEqual({
      enabled: true,
      thresholdPercent: 10,
      graceSeconds: 5,
    });
    expect(await submit(db, "promote-experiment", target, { experimentId: "ok-1" })).toMatchObject({
      status: "applied",
    });
    expect(await gateEvents(target.split("/")[1]!)).toEqual([]);
  }, 180_000);

  it("a crash-looping candidate is rolled back within grace + 30 s, with the Event, terminationReason unhealthy and the records", async () => {
    const { name, target, baseline } = await newAgent("crash");
    await rolledOut(target, baseline);
    const watch = watchPhases(ns.kc, ns.name, name);
    await watch.ready();

    const started = Date.now();
    const start = await submit(db, "start-experiment", target, {
      experimentId: "crash-1",
      config: CRASHLOOP,
      healthGate: { graceSeconds: GRACE_SECONDS },
    });
    expect(start.status).toBe("applied");
    const candidate = await landed(name);

    // While it runs, the read model shows the failing candidate pod with its reason.
    const failing = await eventually(
      async () => {
        const r = await rolloutRow(target);
        const problem = r.problems.find((p) => p.reason === "CrashLoopBackOff");
        expect(problem).toBeDefined();
        expect(r.candidate?.revision).toBe(candidate);
        return problem!;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(failing).toMatchObject({ workload: "DaemonSet", lastTermination: "Error (exit code 1)" });
    expect(failing.node).toMatch(/^kwok-/);

    await eventually(async () => expect(await daemonSetRevision(ns.kc, ns.name, name)).toBe(baseline), {
      timeoutMs: (GRACE_SECONDS + 30) * 1000,
      intervalMs: 200,
    });
    const rolledBackAfter = (Date.now() - started) / 1000;
    expect(rolledBackAfter).toBeLessThan(GRACE_SECONDS + 30);
    expect(rolledBackAfter).toBeGreaterThanOrEqual(GRACE_SECONDS);

    await eventually(() => expect(watch.phases).toEqual(["none", "running", "terminated (unhealthy)"]));
    await watch.stop();
    const events = await eventually(async () => {
      const e = await gateEvents(name);
      expect(e).toHaveLength(1);
      return e;
    });
    expect(events[0]).toMatchObject({ type: "Warning", action: "Rollback" });
    expect(events[0]!.note).toContain(
      `Experiment crash-1 rolled back to ${baseline}: candidate ${candidate} is unhealthy`,
    );
    expect(events[0]!.note).toContain(`${failing.name} on ${failing.node}: CrashLoopBackOff`);

    const row = await db.experiment.findFirstOrThrow({
      where: { agentKey: target, experimentId: "crash-1" },
    });
    expect(row).toMatchObject({
      phase: "terminated",
      endReason: "unhealthy",
      outcome: "rolled-back",
      endedBy: "fleetdeck (health gate)",
    });
    expect(row.reason).toMatch(/^unhealthy: 1 of \d candidate pods unavailable for more than 20 s/);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { target, action: "experiment.unhealthy" } });
    expect(JSON.parse(audit.details)).toMatchObject({
      experimentId: "crash-1",
      candidateRevision: candidate,
      baselineRevision: baseline,
      failingPods: [
        expect.objectContaining({ name: failing.name, reason: expect.stringContaining("CrashLoopBackOff") }),
      ],
    });
    // The restore's history entry is written by the reconcile that sees it, just after.
    await eventually(async () => {
      const history = await db.agentRevision.findMany({
        where: { agentKey: target },
        orderBy: { id: "asc" },
      });
      expect(history.at(-1)).toMatchObject({
        name: baseline,
        cause: "rollback",
        actor: "fleetdeck (health gate)",
      });
    });
    // The agents run the baseline again everywhere.
    await rolledOut(target, baseline);
  }, 120_000);

  it("promote is refused while the candidate is unhealthy (gate reporting only), with the reason", async () => {
    const { name, target, baseline } = await newAgent("refuse");
    await rolledOut(target, baseline);
    await submit(db, "start-experiment", target, {
      experimentId: "refuse-1",
      config: CRASHLOOP,
      healthGate: { enabled: false, graceSeconds: 5 },
    });
    await eventually(async () => expect((await rolloutRow(target)).candidate?.state).toBe("unhealthy"), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const promote = await submit(db, "promote-experiment", target, { experimentId: "refuse-1" });
    expect(promote.status).toBe("rejected");
    expect(promote.message).toMatch(
      /^the candidate is unhealthy: 1 of \d candidate pods unavailable for more than 5 s/,
    );
    expect(promote.message).toContain("CrashLoopBackOff");
    // The gate is off for this experiment: it keeps running until stopped.
    expect((await agents().get(ns.name, name)).status?.experiment?.phase).toBe("running");
    expect(await submit(db, "stop-experiment", target, { experimentId: "refuse-1" })).toMatchObject({
      status: "applied",
    });
    await eventually(async () => expect(await daemonSetRevision(ns.kc, ns.name, name)).toBe(baseline));
    expect(await gateEvents(name)).toEqual([]);
  }, 90_000);
});
