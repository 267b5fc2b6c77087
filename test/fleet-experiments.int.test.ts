// Fleet experiments across three real local clusters (the run's, and two more), one PostgreSQL
// database (each cluster's controllers on its own login, the drivers and the dashboard's side on
// the hub's), a controller per cluster, two fleet driver replicas and a fake Slack webhook: a
// healthy change passes wave by wave and ends promoted everywhere; a change that crash-loops in
// the second wave halts it, and every cluster it touched is put back, each confirmed; the
// leading driver SIGKILLed mid-wave is replaced by its standby with no command sent twice; a
// cluster whose controllers die mid-wave halts it, shown unreachable, and its own experiment
// reverts at its timeout once a controller is back. Runs in the PostgreSQL pass.
import { randomBytes } from "node:crypto";
import { CoreV1Api, CustomObjectsApi, EventsV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleetExperiment } from "../lib/db/fleet-experiments";
import { parseFleetSpec, type FleetExperimentSpecInput } from "../lib/fleet-experiments";
import { reconciledRevision, type ReconciledView } from "../testing/agent-state";
import { clusterIdOf } from "../testing/cluster-id";
import { launchController, type TestController } from "../testing/controllers";
import { openDatabase, type Database } from "../lib/db/open";
import { addCluster, addHub } from "../scripts/fleet/logins";
import { createTestDatabaseUrl, testStoreProvider } from "../testing/database";
import { startFakeSlack, type FakeSlack } from "../testing/fakeslack/server";
import {
  CRASHLOOP_REGISTRY,
  PINNED_AGENT_SPEC,
  REGISTRY_AGENT_SPEC,
  createAgent,
  fleetCommands,
  fleetPhase,
  launchFleetDriver,
  leadingDriver,
  type FleetDriverProcess,
} from "../testing/fleet-experiments";
import { clusterDown, clusterUp } from "../testing/local-cluster";
import { TEST_CLUSTER } from "./global-setup";
import { controllerKubeconfigFile, eventually, testKubeConfig, testNamespace } from "./harness";

const EXTRA_CLUSTERS = [`${TEST_CLUSTER}-fx-b`, `${TEST_CLUSTER}-fx-c`];
const AGENT = "agent";
const ns = testNamespace("fleetexp");
/** The agents' namespace in every cluster. */
const agentNamespace = `fleetexp-${randomBytes(3).toString("hex")}`;

interface Member {
  name: string;
  labels: string;
  kubeconfig: string;
  controllerKubeconfig: string;
  kc: KubeConfig;
  leaseNamespace: string;
  clusterId: string;
  /** Its cluster's own database login (npm run fleet:add-cluster). */
  login?: string;
  controller?: TestController;
}

describe.skipIf(testStoreProvider() !== "postgresql")("fleet experiments across three clusters", () => {
  /** The hub's login: what the dashboard and the fleet drivers use. */
  let db: Database;
  let hubUrl: string;
  let slack: FakeSlack;
  const drivers: FleetDriverProcess[] = [];
  let driverEnv: Record<string, string> = {};
  const members: Member[] = [];
  const target = `${agentNamespace}/${AGENT}`;

  const member = (name: string) => members.find((m) => m.name === name)!;
  const startController = async (m: Member) => {
    m.controller = await launchController({
      id: `${m.name}-controller`,
      kubeconfig: m.controllerKubeconfig,
      databaseUrl: m.login!,
      namespace: m.leaseNamespace,
      env: { FLEETDECK_CLUSTER_NAME: m.name, FLEETDECK_CLUSTER_LABELS: m.labels },
    });
  };
  const start = async (input: FleetExperimentSpecInput) => {
    const spec = parseFleetSpec(input);
    if (!spec.ok) throw new Error(spec.error);
    const started = await startFleetExperiment(db, spec.spec, { actor: "alice", actorAuth: "local" });
    if (!started.ok) throw new Error(started.error);
    return started;
  };
  const targets = async (name: string) => {
    const fx = await db.fleetExperiment.findUniqueOrThrow({ where: { name } });
    return db.fleetTarget.findMany({ where: { fleetExperimentId: fx.id }, orderBy: { clusterName: "asc" } });
  };
  /** The DatadogAgent as kubectl shows it: the operator's status.experiment, fleetdeck's conditions. */
  const agentObject = async (m: Member) =>
    (await m.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: "datadoghq.com",
      version: "v2alpha1",
      plural: "datadogagents",
      namespace: agentNamespace,
      name: AGENT,
    })) as ReconciledView & { status?: { experiment?: { phase?: string; id?: string } } };
  const agentStatus = async (m: Member) => (await agentObject(m)).status;
  /** Each cluster's revision of its agent's spec, once reconciled (the operator's status has no revision field). */
  const currentRevisions = async () =>
    Object.fromEntries(
      await Promise.all(
        members.map(async (m) => [m.name, reconciledRevision(await agentObject(m))] as const),
      ),
    );
  const eventReasons = async (m: Member) =>
    (await m.kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: agentNamespace })).items.map(
      (e) => e.reason,
    );
  /** Every agent rolled out and healthy, as its controller reports it. */
  const settledAgents = () =>
    eventually(
      async () => {
        const rollouts = await db.agentRollout.findMany({ where: { agentKey: target } });
        expect(rollouts.map((r) => r.state)).toEqual(["healthy", "healthy", "healthy"]);
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  beforeAll(async () => {
    const owner = await createTestDatabaseUrl("fleetexp");
    slack = await startFakeSlack();
    const admin = testKubeConfig();
    members.push({
      name: "fx-a",
      labels: "ring=canary,region=eu",
      kubeconfig: "",
      controllerKubeconfig: controllerKubeconfigFile(),
      kc: admin,
      leaseNamespace: ns.name,
      clusterId: await clusterIdOf(admin),
    });
    // One after the other: kwokctl picks free ports as it creates a cluster.
    for (const [i, cluster] of EXTRA_CLUSTERS.entries()) {
      const { handle } = await clusterUp(cluster);
      const kc = new KubeConfig();
      kc.loadFromFile(handle.kubeconfig);
      members.push({
        name: i === 0 ? "fx-b" : "fx-c",
        labels: i === 0 ? "ring=main,region=eu" : "ring=main,region=us",
        kubeconfig: handle.kubeconfig,
        controllerKubeconfig: handle.kubeconfig,
        kc,
        leaseNamespace: "fleetdeck-system",
        clusterId: await clusterIdOf(kc),
      });
    }
    for (const m of members) {
      await m.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: agentNamespace } } });
      // fx-a's agent names its images: a registry change does not touch its pods.
      await createAgent(
        m.kc,
        agentNamespace,
        AGENT,
        m.name === "fx-a" ? PINNED_AGENT_SPEC : REGISTRY_AGENT_SPEC,
        {
          team: "observability",
        },
      );
    }
    // Each cluster's controllers on its own login, the dashboard's side and the drivers on the hub's.
    for (const m of members)
      m.login = (await addCluster(owner, { name: m.name, clusterId: m.clusterId })).databaseUrl;
    hubUrl = (await addHub(owner)).databaseUrl;
    db = await openDatabase({ url: hubUrl });
    await Promise.all(members.map(startController));
    driverEnv = { FLEETDECK_NOTIFY_WEBHOOK_URL: slack.url, FLEETDECK_DASHBOARD_URL: "http://fleetdeck.test" };
    drivers.push(
      ...(await Promise.all(["driver-1", "driver-2"].map((id) => launchFleetDriver(id, hubUrl, driverEnv)))),
    );
    await leadingDriver(db);
    await settledAgents();
  }, 600_000);

  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.proc.stop()));
    await Promise.all(members.map((m) => m.controller?.proc.stop()));
    await slack?.close();
    await db?.$disconnect();
    for (const m of members) {
      await m.kc
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name: agentNamespace })
        .catch(() => undefined);
    }
    if (process.env.FLEETDECK_TEST_KEEP_CLUSTER !== "1") for (const c of EXTRA_CLUSTERS) await clusterDown(c);
  }, 180_000);

  it("registers each cluster with its labels, and plans waves from them", async () => {
    const clusters = await db.cluster.findMany({ orderBy: { name: "asc" } });
    expect(clusters.map((c) => [c.name, JSON.parse(c.labels)])).toEqual([
      ["fx-a", { ring: "canary", region: "eu" }],
      ["fx-b", { ring: "main", region: "eu" }],
      ["fx-c", { ring: "main", region: "us" }],
    ]);
    const agents = await db.agent.findMany({ where: { key: target } });
    expect(agents.map((a) => JSON.parse(a.labels))).toEqual([
      { team: "observability" },
      { team: "observability" },
      { team: "observability" },
    ]);
  });

  it("a healthy change passes wave by wave, in order, and ends promoted everywhere", async () => {
    const name = "fx-healthy";
    const started = await start({
      name,
      config: { features: { apm: { enabled: true } } },
      agentSelector: "team=observability",
      waves: [{ clusterSelector: "ring=canary" }, { clusters: ["fx-b"] }, { percent: 100 }],
    });
    expect(started.plan.waves.map((w) => w.clusters.map((c) => c.clusterName))).toEqual([
      ["fx-a"],
      ["fx-b"],
      ["fx-c"],
    ]);
    expect(started.plan.leftOut).toEqual([]);
    await fleetPhase(db, name, ["promoted"], { settled: true });

    const rows = await targets(name);
    expect(rows.map((t) => [t.clusterName, t.state])).toEqual([
      ["fx-a", "passed"],
      ["fx-b", "passed"],
      ["fx-c", "passed"],
    ]);
    const revisions = await currentRevisions();
    for (const t of rows) expect(revisions[t.clusterName]).toBe(t.candidateRevision);
    const experiments = await db.experiment.findMany({ where: { experimentId: name } });
    expect(experiments.map((e) => e.outcome)).toEqual(["promoted", "promoted", "promoted"]);

    // In order: a wave's start comes after the promote of the wave before it was applied.
    const { commands, duplicates } = await fleetCommands(db, name);
    expect(duplicates).toBe(0);
    const of = (m: string, kind: string) =>
      commands.find((c) => c.clusterId === member(m).clusterId && c.kind === kind)!;
    expect(commands.map((c) => c.kind).sort()).toEqual([
      ...Array(3).fill("promote-experiment"),
      ...Array(3).fill("start-experiment"),
    ]);
    expect(of("fx-b", "start-experiment").createdAt.getTime()).toBeGreaterThanOrEqual(
      of("fx-a", "promote-experiment").appliedAt!.getTime(),
    );
    expect(of("fx-c", "start-experiment").createdAt.getTime()).toBeGreaterThanOrEqual(
      of("fx-b", "promote-experiment").appliedAt!.getTime(),
    );
    // Each cluster's own Events, as for any experiment.
    for (const m of members)
      expect(await eventReasons(m)).toEqual(
        expect.arrayContaining(["ExperimentStarted", "ExperimentPromoted"]),
      );
    const audit = await db.auditEvent.findMany({ where: { target: name }, orderBy: { id: "asc" } });
    expect(audit.filter((e) => e.action === "fleet-experiment.wave-passed")).toHaveLength(3);
    expect(audit.at(-1)!.action).toBe("fleet-experiment.promoted");
    await eventually(() => {
      const texts = slack
        .messages()
        .map((m) => m.text)
        .filter((t) => t.includes(`|${name}>`));
      expect(texts).toHaveLength(5);
      expect(texts[0]).toContain("started by alice");
      expect(texts.slice(1, 4).map((t) => t.replace(/.*: (wave \d passed).*/, "$1"))).toEqual([
        "wave 1 passed",
        "wave 2 passed",
        "wave 3 passed",
      ]);
      expect(texts[4]).toContain("promoted everywhere: fx-a, fx-b, fx-c");
    });
  }, 300_000);

  it("a change that crash-loops in the second wave halts it; every cluster it touched is restored, each confirmed", async () => {
    await settledAgents();
    const name = "fx-crash";
    const baselines = await currentRevisions();
    await start({
      name,
      config: { global: { registry: CRASHLOOP_REGISTRY } },
      agents: [target],
      waves: [{ clusters: ["fx-a"] }, { percent: 100 }],
      healthGate: { graceSeconds: 20 },
    });
    const halted = await fleetPhase(db, name, ["halted"], { settled: true, timeoutMs: 240_000 });
    expect(halted.haltCause).toMatch(/^fx-[bc]: .*: rolled back by its health gate: /);

    const rows = await targets(name);
    expect(rows.map((t) => [t.clusterName, t.state])).toEqual([
      ["fx-a", "restored"],
      ["fx-b", "restored"],
      ["fx-c", "restored"],
    ]);
    for (const t of rows) {
      expect(t.restoredAt).not.toBeNull();
      expect(t.baselineRevision).toBe(baselines[t.clusterName]);
    }
    expect(rows.filter((t) => t.failure?.includes("health gate"))).not.toHaveLength(0);
    // Confirmed in the clusters themselves: each agent's spec is its baseline's again, reconciled.
    await eventually(async () => expect(await currentRevisions()).toEqual(baselines));
    // Ended phases stay in the status, as the operator's: fx-a's promote (then put back by a
    // restore), the others' terminations.
    await eventually(async () => {
      const phases = await Promise.all(members.map(async (m) => (await agentStatus(m))?.experiment?.phase));
      expect(phases).toEqual(["promoted", "terminated", "terminated"]);
    });

    const { commands, duplicates } = await fleetCommands(db, name);
    expect(duplicates).toBe(0);
    const a = commands.filter((c) => c.clusterId === member("fx-a").clusterId).map((c) => [c.kind, c.status]);
    expect(a).toEqual([
      ["start-experiment", "applied"],
      ["promote-experiment", "applied"],
      ["restore-revision", "applied"],
    ]);
    expect(await eventReasons(member("fx-a"))).toContain("RevisionRestored");
    const gateTripped = await Promise.all([member("fx-b"), member("fx-c")].map(eventReasons));
    expect(gateTripped.flat()).toContain("ExperimentUnhealthy");
    await eventually(() => {
      const haltedMessage = slack.messages().find((m) => m.text.includes(`|${name}>: halted: `));
      expect(haltedMessage?.text).toContain("rolled back by its health gate");
      expect(haltedMessage?.text).toContain("restored: fx-a: ");
    });
  }, 360_000);

  it("the leading driver SIGKILLed mid-wave: its standby takes over and no command is sent twice", async () => {
    await settledAgents();
    const name = "fx-failover";
    const leaderId = await leadingDriver(db);
    const leader = drivers.find((d) => d.id === leaderId)!;
    const before = await db.fleetDriverLease.findUniqueOrThrow({ where: { name: "fleet-driver" } });
    const { id } = await start({
      name,
      config: { features: { logCollection: { enabled: true } } },
      agents: [target],
      waves: [{ clusters: ["fx-a"] }, { percent: 100 }],
    });
    // Mid-wave: wave 2's starts are sent, its clusters not yet passed.
    await eventually(
      async () =>
        expect(await db.fleetStep.count({ where: { fleetExperimentId: id, step: "start" } })).toBe(3),
      {
        timeoutMs: 120_000,
        intervalMs: 50,
      },
    );
    await leader.proc.kill();
    const killedAt = Date.now();
    await fleetPhase(db, name, ["promoted"], { settled: true, timeoutMs: 180_000 });
    const lease = await db.fleetDriverLease.findUniqueOrThrow({ where: { name: "fleet-driver" } });
    expect(lease.holder).not.toBe(leaderId);
    expect(lease.transitions).toBe(before.transitions + 1);
    console.log(
      `[fleet-experiments] driver ${leaderId} SIGKILLed; promoted everywhere ${Date.now() - killedAt} ms later`,
    );

    const { commands, duplicates } = await fleetCommands(db, name);
    expect(duplicates).toBe(0);
    expect(commands).toHaveLength(6);
    expect(await db.fleetStep.count({ where: { fleetExperimentId: id } })).toBe(6);
    // A new standby for what follows.
    drivers.splice(drivers.indexOf(leader), 1);
    drivers.push(await launchFleetDriver("driver-3", hubUrl, driverEnv));
  }, 300_000);

  it("a cluster's controllers killed mid-wave halt it, shown unreachable; its own experiment reverts at its timeout once a controller is back", async () => {
    await settledAgents();
    const name = "fx-lost";
    const baselines = await currentRevisions();
    const b = member("fx-b");
    const { id } = await start({
      name,
      // fx-b's agent crash-loops; with its health gate off only its timeout ends it.
      config: { global: { registry: CRASHLOOP_REGISTRY } },
      agents: [target],
      waves: [{ clusters: ["fx-a"] }, { clusters: ["fx-b"] }],
      timeoutSeconds: 60,
      healthGate: { enabled: false },
    });
    const running = await eventually(
      async () => {
        const row = await db.experiment.findFirst({ where: { clusterId: b.clusterId, experimentId: name } });
        expect(row?.startedAt).toBeTruthy();
        return row!;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    await b.controller!.proc.kill();

    const halted = await fleetPhase(db, name, ["halted"], { timeoutMs: 60_000 });
    expect(halted.haltCause).toMatch(/^cluster fx-b stopped reporting \(last heartbeat /);
    expect(halted.settledAt).toBeNull();
    await eventually(async () => {
      const rows = await targets(name);
      expect(rows.map((t) => [t.clusterName, t.state])).toEqual([
        ["fx-a", "restored"],
        ["fx-b", "unreachable"],
      ]);
    });
    expect((await agentStatus(b))?.experiment?.phase).toBe("running");

    // Back after its timeout: its controller rolls it back by itself; the driver sends nothing.
    const deadline = running.startedAt!.getTime() + 60_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now() + 1_000)));
    await startController(b);
    await fleetPhase(db, name, ["halted"], { settled: true, timeoutMs: 90_000 });
    const rows = await targets(name);
    expect(rows.map((t) => [t.clusterName, t.state])).toEqual([
      ["fx-a", "restored"],
      ["fx-b", "restored"],
    ]);
    const ended = await db.experiment.findFirstOrThrow({
      where: { clusterId: b.clusterId, experimentId: name },
    });
    expect(ended).toMatchObject({ outcome: "timed-out", endReason: "timed_out" });
    await eventually(async () => expect(reconciledRevision(await agentObject(b))).toBe(baselines["fx-b"]));
    expect(
      await db.fleetStep.findMany({ where: { fleetExperimentId: id, clusterId: b.clusterId } }),
    ).toMatchObject([{ step: "start" }]);
    const { duplicates } = await fleetCommands(db, name);
    expect(duplicates).toBe(0);
  }, 360_000);
});
