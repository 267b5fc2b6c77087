// The fleet driver's decisions on the real store: a decision is stored whole or not at all, two
// drivers that decided from the same state store one decision (the second finds the version
// moved), a command's idempotency key refuses a second command for the same step even from a
// decision that got past the version, and a person's request wins over a driver's stale step.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../lib/db/open";
import { requestFleetChange, startFleetExperiment } from "../lib/db/fleet-experiments";
import { parseFleetSpec } from "../lib/fleet-experiments";
import { createTestDatabase } from "../testing/database";
import { FleetDriver } from "./driver";
import { createRootLogger } from "./log";
import { stepFleet } from "./rules";
import { FleetStore, VersionConflict } from "./store";

const log = createRootLogger("silent");
const CLUSTERS = ["east", "west"] as const;

async function seedCluster(db: Database, name: string) {
  const now = new Date();
  await db.cluster.create({
    data: { id: `id-${name}`, name, kubernetesVersion: "v1.34.4", apiServer: "https://x", updatedAt: now },
  });
  await db.controllerHeartbeat.create({
    data: {
      clusterId: `id-${name}`,
      controllerId: `c-${name}`,
      hostname: "h",
      pid: 1,
      version: "test",
      isLeader: true,
      kubernetesVersion: "v1.34.4",
      apiServer: "https://x",
      startedAt: now,
      lastSeenAt: now,
    },
  });
  await db.agent.create({
    data: {
      clusterId: `id-${name}`,
      key: "datadog/datadog",
      namespace: "datadog",
      name: "datadog",
      uid: `uid-${name}`,
      generation: 1,
      spec: JSON.stringify({ features: { apm: { enabled: false } } }),
      currentRevision: "datadog-0123456789",
      reconciledAt: now,
    },
  });
}

describe("the fleet driver's decisions in the store", () => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await createTestDatabase("fleet-store"));
    for (const name of CLUSTERS) await seedCluster(db, name);
    const spec = parseFleetSpec({
      name: "store-test",
      config: { features: { apm: { enabled: true } } },
      agents: ["datadog/datadog"],
      waves: [{ clusters: ["east"] }, { clusters: ["west"] }],
    });
    if (!spec.ok) throw new Error(spec.error);
    const started = await startFleetExperiment(db, spec.spec, { actor: "alice", actorAuth: "local" });
    if (!started.ok) throw new Error(started.error);
  });
  afterAll(() => db?.$disconnect());

  const commands = () => db.command.findMany({ where: { source: "fleet" }, orderBy: { id: "asc" } });

  it("two drivers decide from the same state: one decision is stored, with one command and its key", async () => {
    const [a, b] = [new FleetStore(db), new FleetStore(db)];
    const [fxA] = await a.loadActive();
    const [fxB] = await b.loadActive();
    await new FleetDriver(a, log).drive(fxA!);
    await expect(new FleetDriver(b, log).drive(fxB!)).rejects.toBeInstanceOf(VersionConflict);
    const sent = await commands();
    expect(sent.map((c) => [c.kind, c.clusterId, c.target, c.actor])).toEqual([
      ["start-experiment", "id-east", "datadog/datadog", "alice"],
    ]);
    expect(JSON.parse(sent[0]!.payload)).toEqual({
      experimentId: "store-test",
      config: { features: { apm: { enabled: true } } },
    });
    expect(await db.fleetStep.findMany()).toMatchObject([
      { clusterId: "id-east", step: "start", commandId: sent[0]!.id },
    ]);
    const target = await db.fleetTarget.findFirstOrThrow({ where: { clusterId: "id-east" } });
    expect(target).toMatchObject({ state: "running", detail: "start requested" });
    const audit = await db.auditEvent.findMany({ where: { target: "store-test" }, orderBy: { id: "asc" } });
    expect(audit.map((e) => e.action)).toEqual([
      "fleet-experiment.started",
      "fleet-experiment.wave-started",
      "fleet-experiment.cluster-started",
    ]);
  });

  it("a decision that repeats a step is refused by its key, and nothing of it is stored", async () => {
    const store = new FleetStore(db);
    const [fx] = await store.loadActive();
    const inputs = await store.observe(fx!, Date.now());
    const decision = stepFleet(fx!.memo, fx!.plan.waves, inputs, Date.now());
    expect(decision.commands).toEqual([]); // the stored step is seen: nothing to send
    const repeated = { ...decision, commands: [{ ref: inputs[0]!.ref, step: "start" as const }] };
    const before = { version: fx!.version, audit: await db.auditEvent.count() };
    await expect(store.commit(fx!, repeated, Date.now())).rejects.toMatchObject({ code: "P2002" });
    expect(await commands()).toHaveLength(1);
    expect((await db.fleetExperiment.findFirstOrThrow()).version).toBe(before.version);
    expect(await db.auditEvent.count()).toBe(before.audit);
  });

  it("a person's request wins over a driver's step decided before it", async () => {
    const store = new FleetStore(db);
    const [stale] = await store.loadActive();
    expect(await requestFleetChange(db, "store-test", "pause", "bob")).toEqual({ ok: true, phase: "paused" });
    // Something for the stale driver to write: the start was applied.
    await db.command.updateMany({
      where: { source: "fleet" },
      data: { status: "applied", message: "started" },
    });
    await expect(new FleetDriver(store, log).drive(stale!)).rejects.toBeInstanceOf(VersionConflict);
    expect((await db.fleetExperiment.findFirstOrThrow()).phase).toBe("paused");
    expect(await requestFleetChange(db, "store-test", "approve", "bob")).toEqual({
      ok: false,
      error: "cannot approve a fleet experiment that is paused",
    });
    const [fresh] = await store.loadActive();
    await new FleetDriver(store, log).drive(fresh!);
    expect((await db.fleetExperiment.findFirstOrThrow()).phase).toBe("paused");
    const audit = await db.auditEvent.findMany({ where: { action: "fleet-experiment.paused" } });
    expect(audit).toMatchObject([{ actor: "bob", target: "store-test" }]);
  });
});
