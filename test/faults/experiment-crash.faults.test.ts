// Recovery after a crash: a real controller process is SIGKILLed during an experiment and
// started again. Nothing of the experiment lives in its memory: the timeout still fires at
// startedAt + timeout, from the operator's status and fleetdeck's store alone, and the baseline
// is restored; a crash-looping candidate is rolled back by its health gate from the status, the
// store and the pods alone, with one ExperimentUnhealthy Event however the crash falls.
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../lib/db/open";
import { agentClient, agentEvents, agentState, createApiKeySecret, currentRevision, submit } from "../agents";
import { revisionName, specHash } from "../../controller/agents/hash";
import { launchController, type TestController } from "../../testing/controllers";
import { createTestDatabaseUrl } from "../../testing/database";
import { controllerKubeconfigFile, eventually, testNamespace, uniqueName } from "../harness";
import { REVISION_ANNOTATION } from "../../controller/agents/render";

const ns = testNamespace("restart");
const TIMEOUT_SECONDS = 15;
let databaseUrl: string;
let db: Database;
let controller: TestController | undefined;

async function start(): Promise<TestController> {
  controller = await launchController({
    id: "restart-controller",
    kubeconfig: controllerKubeconfigFile(),
    databaseUrl,
    namespace: ns.name,
    // One controller: no lease to wait for after the crash.
    env: { FLEETDECK_LEADER_ELECT: "false" },
  });
  return controller;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabaseUrl("restart");
  db = await openDatabase({ url: databaseUrl });
  await createApiKeySecret(ns.kc, ns.name);
});
afterAll(async () => {
  await controller?.proc.stop();
  await db?.$disconnect();
});

async function runningExperiment(name: string, target: string, id: string) {
  await submit(db, "start-experiment", target, {
    experimentId: id,
    config: { global: { logLevel: "debug" } },
    timeoutSeconds: TIMEOUT_SECONDS,
  });
  return eventually(async () => {
    const s = await agentState(db, target);
    expect(s.experiment?.phase).toBe("running");
    expect(s.experiment?.expectedSpecHash).toBeUndefined();
    const a = await agentClient(ns.kc).get(ns.name, name);
    expect(a.status?.experiment?.startedAt).toBeDefined();
    return new Date(a.status!.experiment!.startedAt!).getTime();
  });
}

/** A new agent, reconciled; its revision is the baseline of what follows. */
async function newAgent(name: string): Promise<string> {
  const spec = { global: { logLevel: "info" } };
  await agentClient(ns.kc).create(ns.name, name, spec);
  const baseline = revisionName(name, specHash(spec));
  await currentRevision(ns.kc, db, ns.name, name, baseline);
  return baseline;
}

async function restoredAt(name: string, baseline: string, timeoutMs: number): Promise<number> {
  await eventually(
    async () => {
      const a = await agentClient(ns.kc).get(ns.name, name);
      expect(a.status?.experiment?.phase).toBe("terminated");
      expect((await agentState(db, `${ns.name}/${name}`)).currentRevision).toBe(baseline);
    },
    { timeoutMs, intervalMs: 100 },
  );
  await eventually(async () => {
    const ds = await ns.kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDaemonSet({ namespace: ns.name, name: `${name}-agent` });
    expect(ds.spec?.template.metadata?.annotations?.[REVISION_ANNOTATION]).toBe(baseline);
  });
  return Date.now();
}

describe("controller SIGKILLed during an experiment", () => {
  it("restarted before the deadline: the timeout fires at startedAt + timeout and restores the baseline", async () => {
    await start();
    const name = uniqueName("crash");
    const target = `${ns.name}/${name}`;
    const baseline = await newAgent(name);
    const startedAt = await runningExperiment(name, target, "crash-1");

    await controller!.proc.kill();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await agentClient(ns.kc).get(ns.name, name)).status?.experiment?.phase).toBe("running");
    const restartedAt = Date.now();
    await start();

    await restoredAt(name, baseline, 40_000);
    const row = await db.experiment.findFirstOrThrow({
      where: { agentKey: target, experimentId: "crash-1" },
    });
    expect(row).toMatchObject({
      outcome: "timed-out",
      endReason: "timed_out",
      endedBy: "fleetdeck (timeout)",
    });
    expect((await agentClient(ns.kc).get(ns.name, name)).status?.experiment?.terminationReason).toBe(
      "timed_out",
    );
    // Never early; and at startedAt + timeout, not at restart + timeout: a controller that
    // started the clock again at its restart would end it at least restartedAt - startedAt (5 s
    // and more) after the deadline, however slow the machine.
    const deadline = startedAt + TIMEOUT_SECONDS * 1000;
    expect(row.endedAt!.getTime()).toBeGreaterThanOrEqual(deadline);
    expect(row.endedAt!.getTime() - deadline).toBeLessThan(restartedAt - startedAt);
  });

  it("restarted after the deadline: the overdue experiment times out at once", async () => {
    const name = uniqueName("overdue");
    const target = `${ns.name}/${name}`;
    const baseline = await newAgent(name);
    const startedAt = await runningExperiment(name, target, "overdue-1");

    await controller!.proc.kill();
    const deadline = startedAt + TIMEOUT_SECONDS * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()) + 2000));
    // Nobody was there at the deadline.
    expect((await agentClient(ns.kc).get(ns.name, name)).status?.experiment?.phase).toBe("running");
    const restarted = Date.now();
    await start();

    await restoredAt(name, baseline, 30_000);
    const row = await db.experiment.findFirstOrThrow({
      where: { agentKey: target, experimentId: "overdue-1" },
    });
    expect(row).toMatchObject({ outcome: "timed-out" });
    expect(row.endedAt!.getTime()).toBeGreaterThan(restarted);
  });
});

describe("controller SIGKILLed while the candidate is failing (health gate)", () => {
  const GRACE_SECONDS = 10;
  const crashloop = { override: { nodeAgent: { image: { tag: "7.72.1-crashloop" } } } };
  const unhealthyEvents = async (name: string) =>
    (await agentEvents(ns.kc, ns.name, name)).filter((e) => e.reason === "ExperimentUnhealthy");

  async function failingExperiment(prefix: string, id: string) {
    const name = uniqueName(prefix);
    const target = `${ns.name}/${name}`;
    const baseline = await newAgent(name);
    await submit(db, "start-experiment", target, {
      experimentId: id,
      config: crashloop,
      healthGate: { graceSeconds: GRACE_SECONDS },
    });
    return { name, target, baseline };
  }

  /** When the first candidate pod reported CrashLoopBackOff (its Ready transition time). */
  async function firstCrash(name: string): Promise<number> {
    return eventually(
      async () => {
        const pods = await ns.kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name });
        const crashing = pods.items.find(
          (p) =>
            p.metadata?.name?.startsWith(`${name}-agent-`) &&
            p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === "CrashLoopBackOff"),
        );
        expect(crashing).toBeDefined();
        const ready = crashing!.status!.conditions!.find((c) => c.type === "Ready")!;
        return new Date(ready.lastTransitionTime!).getTime();
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
  }

  it("killed within the grace and restarted after it: rolled back after the restart, one Event", async () => {
    if (!controller) await start();
    const { name, target, baseline } = await failingExperiment("gate-kill", "gate-1");
    const crashedAt = await firstCrash(name);

    await controller!.proc.kill();
    // Nobody is there when the grace ends.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, crashedAt + GRACE_SECONDS * 1000 - Date.now()) + 2000),
    );
    const meanwhile = await agentClient(ns.kc).get(ns.name, name);
    expect(meanwhile.status?.experiment?.phase).toBe("running");
    expect(await unhealthyEvents(name)).toEqual([]);
    await start();

    await restoredAt(name, baseline, 40_000);
    await eventually(async () => expect(await unhealthyEvents(name)).toHaveLength(1));
    const row = await db.experiment.findFirstOrThrow({ where: { agentKey: target, experimentId: "gate-1" } });
    expect(row).toMatchObject({
      outcome: "rolled-back",
      endReason: "unhealthy",
      endedBy: "fleetdeck (health gate)",
    });
    expect(await db.auditEvent.count({ where: { target, action: "experiment.unhealthy" } })).toBe(1);
  });

  it("killed the moment the gate's Event appears: the restarted controller finishes the rollback without a second Event", async () => {
    if (!controller) await start();
    const { name, target, baseline } = await failingExperiment("gate-event", "gate-2");
    await eventually(async () => expect(await unhealthyEvents(name)).toHaveLength(1), {
      timeoutMs: (GRACE_SECONDS + 30) * 1000,
      intervalMs: 50,
    });
    await controller!.proc.kill();
    await start();

    await restoredAt(name, baseline, 40_000);
    // Long enough for a restarted controller to have recorded it again, had it meant to.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await unhealthyEvents(name)).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { target, action: "experiment.unhealthy" } })).toBe(1);
  });
});
