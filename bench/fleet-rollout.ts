// Fleet experiments across three local clusters on PostgreSQL (each cluster's controller on its
// own database login, the fleet drivers on the hub's), a controller per cluster and two fleet
// driver replicas, as shipped (bake time 0, a 20 s health gate grace):
// - a good change, from the start to promoted everywhere (wave 1: one cluster; wave 2: the two
//   others): promote_s;
// - a change that crash-loops in wave 2 (the first wave's agent names its own images, the
//   others' come from a registry whose images crash-loop in kwok), three times: from the trip
//   (the first health gate's rollback, as its controller records it) to each touched cluster's
//   restore confirmed by the driver (its current revision the baseline again): restore_p50_ms,
//   restore_p99_ms (target p99 ≤ 10 s);
// - duplicates: commands beyond the first of a kind for one DatadogAgent of one cluster, counted
//   from the Command rows themselves (target 0).
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { startFleetExperiment } from "../lib/db/fleet-experiments";
import { openDatabase, type Database } from "../lib/db/open";
import { parseFleetSpec, type FleetExperimentSpecInput } from "../lib/fleet-experiments";
import { addCluster, addHub } from "../scripts/fleet/logins";
import { reconciledRevision, type ReconciledView } from "../testing/agent-state";
import { clusterIdOf } from "../testing/cluster-id";
import { launchController, type TestController } from "../testing/controllers";
import { createPostgresDatabase } from "../testing/database";
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
import { startPostgres, type PostgresServer } from "../testing/postgres";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { until } from "./util";

const PREFIX = process.env.FLEETDECK_BENCH_CLUSTER_PREFIX ?? "fleetdeck-bench";
const CLUSTERS = [
  { name: "bench-a", cluster: `${PREFIX}-fx-a`, labels: "ring=canary", spec: PINNED_AGENT_SPEC },
  { name: "bench-b", cluster: `${PREFIX}-fx-b`, labels: "ring=main", spec: REGISTRY_AGENT_SPEC },
  { name: "bench-c", cluster: `${PREFIX}-fx-c`, labels: "ring=main", spec: REGISTRY_AGENT_SPEC },
];
const NAMESPACE = "fleet-bench";
const TARGET = `${NAMESPACE}/agent`;
const FAILURES = 3;
const GRACE_SECONDS = 20;

interface Member {
  name: string;
  kc: KubeConfig;
  clusterId: string;
}

async function start(db: Database, input: FleetExperimentSpecInput): Promise<number> {
  const spec = parseFleetSpec(input);
  if (!spec.ok) throw new Error(spec.error);
  const started = await startFleetExperiment(db, spec.spec, { actor: "bench", actorAuth: "local" });
  if (!started.ok) throw new Error(started.error);
  return Date.now();
}

export async function run(): Promise<BenchResult> {
  let postgres: PostgresServer | undefined;
  const controllers: TestController[] = [];
  const drivers: FleetDriverProcess[] = [];
  let db: Database | undefined;
  try {
    postgres = await startPostgres("fleetdeck-bench");
    const owner = await createPostgresDatabase(postgres.url(), `fleet_rollout_${Date.now()}`);
    // As shipped: each cluster's controller on its own login, the drivers and the starts on the hub's.
    const hub = (await addHub(owner)).databaseUrl;
    db = await openDatabase({ url: hub });
    const members: Member[] = [];
    for (const c of CLUSTERS) {
      await clusterDown(c.cluster);
      const { handle } = await clusterUp(c.cluster);
      const kc = new KubeConfig();
      kc.loadFromFile(handle.kubeconfig);
      await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
      await createAgent(kc, NAMESPACE, "agent", c.spec);
      const clusterId = await clusterIdOf(kc);
      members.push({ name: c.name, kc, clusterId });
      const login = await addCluster(owner, { name: c.name, clusterId });
      controllers.push(
        await launchController({
          id: `${c.name}-controller`,
          kubeconfig: handle.kubeconfig,
          databaseUrl: login.databaseUrl,
          namespace: "fleetdeck-system",
          env: { FLEETDECK_CLUSTER_NAME: c.name, FLEETDECK_CLUSTER_LABELS: c.labels, LOG_LEVEL: "info" },
        }),
      );
    }
    drivers.push(
      ...(await Promise.all(
        ["bench-driver-1", "bench-driver-2"].map((id) => launchFleetDriver(id, hub, { LOG_LEVEL: "info" })),
      )),
    );
    await leadingDriver(db);
    const ready = () =>
      until(
        "every agent rolled out and healthy",
        async () => {
          const rows = await db!.agentRollout.findMany({ where: { agentKey: TARGET } });
          return rows.length === CLUSTERS.length && rows.every((r) => r.state === "healthy")
            ? true
            : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 500 },
      );
    await ready();
    const waves = [{ clusterSelector: "ring=canary" }, { clusterSelector: "ring=main" }];

    // A good change: start → promoted everywhere.
    const startedAt = await start(db, {
      name: "bench-good",
      config: { features: { apm: { enabled: true } } },
      agents: [TARGET],
      waves,
    });
    await until(
      "bench-good promoted everywhere",
      async () =>
        (await db!.fleetExperiment.findUnique({ where: { name: "bench-good" } }))?.phase === "promoted"
          ? true
          : undefined,
      { timeoutMs: 300_000, intervalMs: 100 },
    );
    const promoteSeconds = (Date.now() - startedAt) / 1000;
    console.log(
      `[fleet-rollout] bench-good promoted in all ${CLUSTERS.length} clusters in ${promoteSeconds} s`,
    );

    // A change that crash-loops in wave 2, several times: trip → each touched cluster restored.
    const samples: number[] = [];
    const iterations: unknown[] = [];
    const names = ["bench-good"];
    for (let i = 1; i <= FAILURES; i++) {
      await ready();
      const name = `bench-crash-${i}`;
      names.push(name);
      const baselines = await currentRevisions(members);
      await start(db, {
        name,
        config: { global: { registry: `${CRASHLOOP_REGISTRY}.${i}` } },
        agents: [TARGET],
        waves,
        healthGate: { graceSeconds: GRACE_SECONDS },
      });
      const fx = await fleetPhase(db, name, ["halted"], { settled: true, timeoutMs: 300_000 });
      const tripped = await db.experiment.findMany({
        where: { experimentId: name, outcome: "rolled-back", reason: { startsWith: "unhealthy:" } },
      });
      const trip = Math.min(...tripped.map((e) => e.endedAt!.getTime()));
      const targets = await db.fleetTarget.findMany({ where: { fleetExperimentId: fx.id } });
      const restored = targets.map((t) => ({ cluster: t.clusterName, ms: t.restoredAt!.getTime() - trip }));
      samples.push(...restored.map((r) => r.ms));
      // Confirmed in the clusters too: every agent is back at its baseline.
      const now = await currentRevisions(members);
      for (const m of members) {
        if (now[m.name] !== baselines[m.name])
          throw new Error(`${name}: ${m.name} is at ${now[m.name]}, not its baseline ${baselines[m.name]}`);
      }
      iterations.push({ name, haltCause: fx.haltCause, tripped: tripped.length, restored });
      console.log(`[fleet-rollout] ${name}: ${fx.haltCause}; restored ${JSON.stringify(restored)}`);
    }

    let duplicates = 0;
    const commands: Record<string, number> = {};
    for (const name of names) {
      const sent = await fleetCommands(db, name);
      duplicates += sent.duplicates;
      commands[name] = sent.commands.length;
    }
    return {
      summary: {
        promote_s: promoteSeconds,
        restore_p50_ms: percentile(samples, 50),
        restore_p99_ms: percentile(samples, 99),
        clusters: CLUSTERS.length,
        duplicates,
      },
      details: {
        grace_seconds: GRACE_SECONDS,
        bake_seconds: 0,
        failures: FAILURES,
        restore_samples_ms: samples,
        iterations,
        commands,
        targets: { restore_p99_ms: 10_000, duplicates: 0 },
      },
    };
  } finally {
    await Promise.all(drivers.map((d) => d.proc.stop()));
    await Promise.all(controllers.map((c) => c.proc.stop()));
    await db?.$disconnect();
    postgres?.dispose();
    if (process.env.BENCH_KEEP !== "1") for (const c of CLUSTERS) await clusterDown(c.cluster);
  }
}

async function currentRevisions(members: Member[]): Promise<Record<string, string | undefined>> {
  const entries = await Promise.all(
    members.map(async (m) => {
      const agent = (await m.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: "datadoghq.com",
        version: "v2alpha1",
        plural: "datadogagents",
        namespace: NAMESPACE,
        name: "agent",
      })) as ReconciledView;
      // The operator's status has no revision field: the reconciled spec's revision, as kubectl shows it.
      return [m.name, reconciledRevision(agent)] as const;
    }),
  );
  return Object.fromEntries(entries);
}
