// fleetdeck's state on the operator's own CRD, whose schema prunes every status field it does
// not know (docs/experiments.md, "Where the state lives"): two edits keep the current and
// previous revisions, an experiment's phase and reason survive controller restarts, no status
// patch is sent twice for the same state (the API server's audit log counts them), and a
// restart applies no workload whose render hash is already on it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/open";
import {
  agentClient,
  agentState,
  auditedAgentWrites,
  conditionOf,
  createApiKeySecret,
  currentRevision,
  reconciled,
  startAgents,
  submit,
} from "../../test/agents";
import type { ControllerUnderTest } from "../../test/controller";
import {
  controllerKubeConfig,
  eventually,
  testClusterDir,
  testNamespace,
  uniqueName,
} from "../../test/harness";
import { createTestDatabase } from "../../testing/database";
import { revisionName, specHash } from "./hash";
import { metricSum, reconcileMetrics } from "../kube/metrics";
import { AppsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { AgentReadModel } from "./read-model";
import { RENDER_HASH_ANNOTATION } from "./render";

const ns = testNamespace("state");
const agents = () => agentClient(ns.kc);
const spec = (logLevel: string) => ({
  global: {
    clusterName: "state",
    logLevel,
    credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
  },
});
let db: Database;
let controller: ControllerUnderTest | undefined;

/** A restart: the controller's memory is gone; what it knows comes from the cluster and the store. */
async function restart() {
  await controller?.stop();
  controller = await startAgents(controllerKubeConfig(), db);
}

/** The controller's status writes to one agent, from the API server's audit log. */
const statusPatches = (name: string) =>
  auditedAgentWrites(ns.name, name).filter(
    (w) => w.subresource === "status" && w.userAgent.startsWith("fleetdeck-controller"),
  );
const reconciles = () => metricSum(reconcileMetrics.total, { controller: "datadogagents" });

beforeAll(async () => {
  ({ db } = await createTestDatabase("state"));
  await createApiKeySecret(ns.kc, ns.name);
  await restart();
});
afterAll(async () => {
  await controller?.stop();
});

describe("on the operator's CRD", () => {
  // An external cluster has no audit log to read.
  it.runIf(testClusterDir())(
    "no status patch is sent twice for the same state: reconciles of an unchanged agent, and a restart, write nothing",
    async () => {
      const name = uniqueName("quiet");
      await agents().create(ns.name, name, spec("info"));
      await currentRevision(ns.kc, db, ns.name, name, revisionName(name, specHash(spec("info"))));
      await eventually(async () => expect(statusPatches(name).length).toBeGreaterThan(0));
      // Settled: the first reconciles' patches are in.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const before = statusPatches(name).length;
      const status = (await agents().get(ns.name, name)).status;

      // Each label change is a watch event, so a reconcile of the agent; none changes its status.
      const ran = await reconciles();
      for (const value of ["a", "b", "c"]) {
        const current = await agents().get(ns.name, name);
        await ns.kc.makeApiClient(CustomObjectsApi).replaceNamespacedCustomObject({
          group: "datadoghq.com",
          version: "v2alpha1",
          plural: "datadogagents",
          namespace: ns.name,
          name,
          body: { ...current, metadata: { ...current.metadata, labels: { touched: value } } },
        });
      }
      await eventually(async () => expect(await reconciles()).toBeGreaterThanOrEqual(ran + 3));
      // A restarted controller reconciles every agent it lists, this one included.
      const beforeRestart = await reconciles();
      await restart();
      await eventually(async () => expect(await reconciles()).toBeGreaterThan(beforeRestart));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(statusPatches(name).length).toBe(before);
      expect((await agents().get(ns.name, name)).status).toEqual(status);
    },
  );

  it("a restart does not apply workloads again whose render hash is the live one's; a changed hash is applied", async () => {
    const name = uniqueName("hash");
    await agents().create(ns.name, name, spec("info"));
    await currentRevision(ns.kc, db, ns.name, name, revisionName(name, specHash(spec("info"))));
    const apps = ns.kc.makeApiClient(AppsV1Api);
    const ds = () => apps.readNamespacedDaemonSet({ namespace: ns.name, name: `${name}-agent` });
    const image = async () => (await ds()).spec!.template.spec!.containers[0]!.image;
    const rendered = await image();
    const hash = (await ds()).metadata!.annotations![RENDER_HASH_ANNOTATION];
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    // Another writer changes a field fleetdeck owns; the render hash stays.
    const edit = async (patch: object) =>
      apps.patchNamespacedDaemonSet(
        { namespace: ns.name, name: `${name}-agent`, body: patch, fieldManager: "someone" },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    await edit({
      spec: { template: { spec: { containers: [{ name: "agent", image: "example.com/other:1" }] } } },
    });
    const ran = await reconciles();
    await restart();
    await eventually(async () => expect(await reconciles()).toBeGreaterThan(ran));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Not applied again: the edit stands (the hash on the object says the render is there).
    expect(await image()).toBe("example.com/other:1");

    // A different hash on the object: the next reconcile (a restart's) applies the render.
    await edit({ metadata: { annotations: { [RENDER_HASH_ANNOTATION]: "0000000000000000" } } });
    await restart();
    await eventually(async () => expect(await image()).toBe(rendered));
    expect((await ds()).metadata!.annotations![RENDER_HASH_ANNOTATION]).toBe(hash);
  });

  it("two edits keep current and previous revisions; the status holds only the operator's fields", async () => {
    const name = uniqueName("edits");
    const key = `${ns.name}/${name}`;
    const agent = await agents().create(ns.name, name, spec("info"));
    const [first, second, third] = ["info", "debug", "warn"].map((l) =>
      revisionName(name, specHash(spec(l))),
    );
    await currentRevision(ns.kc, db, ns.name, name, first!);
    await agents().replaceSpec(ns.name, name, spec("debug"));
    expect(await currentRevision(ns.kc, db, ns.name, name, second!)).toMatchObject({
      previousRevision: first,
    });
    await agents().replaceSpec(ns.name, name, spec("warn"));
    expect(await currentRevision(ns.kc, db, ns.name, name, third!)).toMatchObject({
      previousRevision: second,
    });

    // The cluster keeps the two, numbered in order (the last is current), as a DaemonSet's history.
    await eventually(async () => {
      const owned = (
        await ns.kc.makeApiClient(AppsV1Api).listNamespacedControllerRevision({ namespace: ns.name })
      ).items
        .filter((cr) => cr.metadata?.ownerReferences?.some((o) => o.uid === agent.metadata.uid))
        .sort((a, b) => a.revision - b.revision)
        .map((cr) => cr.metadata!.name);
      expect(owned).toEqual([second, third]);
    });
    // A restart keeps them: they come from the store, not from the (pruned) status.
    await restart();
    await reconciled(ns.kc, ns.name, name);
    expect(await agentState(db, key)).toMatchObject({ currentRevision: third, previousRevision: second });
    const status = (await agents().get(ns.name, name)).status!;
    expect(Object.keys(status)).toEqual(["conditions"]);
    expect(conditionOf(await agents().get(ns.name, name), "FleetdeckReconciled")).toMatchObject({
      observedGeneration: 3,
      message: `revision ${third} is rendered`,
    });
  });

  it("a running experiment's timeout survives a restart; its phase and reason survive the next ones", async () => {
    const name = uniqueName("survive");
    const key = `${ns.name}/${name}`;
    await agents().create(ns.name, name, spec("info"));
    const baseline = revisionName(name, specHash(spec("info")));
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    await submit(db, "start-experiment", key, {
      experimentId: "s-1",
      config: { global: { logLevel: "debug" } },
      timeoutSeconds: 12,
      healthGate: { graceSeconds: 30 },
    });
    // Running, its candidate landed, as the store has it (the agent's row is written after the
    // reconcile, not with the command's outcome).
    await eventually(async () => {
      const experiment = (await agentState(db, key)).experiment;
      expect(experiment).toMatchObject({ phase: "running", id: "s-1" });
      expect(experiment?.expectedSpecHash).toBeUndefined();
    });

    // Restarted mid-experiment: the timeout (the store's), its anchor (the status's startedAt)
    // and the gate's settings all come back.
    await restart();
    await reconciled(ns.kc, ns.name, name);
    await eventually(async () =>
      expect((await agentState(db, key)).experiment).toMatchObject({
        phase: "running",
        id: "s-1",
        baselineRevision: baseline,
        timeoutSeconds: 12,
        healthGate: { enabled: true, thresholdPercent: 10, graceSeconds: 30 },
      }),
    );
    await eventually(
      async () =>
        expect((await agents().get(ns.name, name)).status?.experiment).toMatchObject({
          phase: "terminated",
          terminationReason: "timed_out",
          id: "s-1",
        }),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    const ended = await agents().get(ns.name, name);

    await restart();
    await restart();
    await reconciled(ns.kc, ns.name, name);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await agents().get(ns.name, name);
    expect(after.status?.experiment).toEqual(ended.status?.experiment);
    expect(conditionOf(after, "FleetdeckExperiment")).toEqual(conditionOf(ended, "FleetdeckExperiment"));
    expect(conditionOf(after, "FleetdeckExperiment")).toMatchObject({
      status: "False",
      reason: "TimedOut",
      message: "experiment s-1 terminated (timed_out): timed out after 12 s without a promote",
    });
    expect((await agentState(db, key)).experiment).toMatchObject({
      phase: "terminated",
      terminationReason: "timed_out",
    });
  });

  it("a stop decided but not carried out before a restart is finished by the restarted controller", async () => {
    const name = uniqueName("decided");
    const key = `${ns.name}/${name}`;
    await agents().create(ns.name, name, spec("info"));
    const baseline = revisionName(name, specHash(spec("info")));
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    await submit(db, "start-experiment", key, {
      experimentId: "d-1",
      config: { global: { logLevel: "debug" } },
    });
    await eventually(async () =>
      expect((await agentState(db, key)).experiment?.expectedSpecHash).toBeUndefined(),
    );
    // The controller goes away; the stop's decision is in the store (as the handler records
    // it) but nobody carried it out in the cluster.
    await controller!.stop();
    controller = undefined;
    const readModel = new AgentReadModel(db, (await db.cluster.findFirstOrThrow()).id);
    expect(
      await readModel.decideEnd(
        key,
        "d-1",
        { end: "stopped", detail: "stopped by dora", endedBy: "dora" },
        {
          actor: "dora",
          action: "experiment.stop-requested",
          targetKind: "DatadogAgent",
          target: key,
          details: {},
        },
      ),
    ).toBe(true);
    expect((await agents().get(ns.name, name)).status?.experiment?.phase).toBe("running");

    await restart();
    await eventually(async () =>
      expect((await agents().get(ns.name, name)).status?.experiment).toMatchObject({
        phase: "terminated",
        terminationReason: "stopped",
      }),
    );
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    const history = await db.agentRevision.findMany({ where: { agentKey: key }, orderBy: { id: "asc" } });
    expect(history.at(-1)).toMatchObject({ name: baseline, cause: "rollback", actor: "dora" });
  });
});
