// Demo scenario for fleet experiments (npm run demo -- --fleet), on the sample DatadogAgent
// datadog/datadog of east and west, run by the fleet driver:
// 1. demo-fleet-npm turns network performance monitoring on in east (wave 1, a 15 s bake),
//    then west (wave 2): promoted across both clusters;
// 2. demo-fleet-mirror moves the agents to another registry, whose images crash-loop in the
//    local clusters (kwok's Stages). East's agent names its own images (a user edit first pins
//    them), so wave 1 passes there; west's come from the registry: its health gate trips in wave
//    2, the fleet experiment halts, and both clusters are put back, each restore confirmed.
// Idempotent: a fleet experiment that exists already is not started again.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { startFleetExperiment } from "../../lib/db/fleet-experiments";
import { activeExperiment } from "../../lib/experiments";
import { experimentStatusColumn } from "../../lib/read-model/agents";
import type { Database } from "../../lib/db/open";
import { parseFleetSpec, type FleetExperimentSpecInput } from "../../lib/fleet-experiments";
import { CRASHLOOP_REGISTRY, PINNED_AGENT_SPEC, fleetPhase } from "../../testing/fleet-experiments";
import { until } from "./commands";

const TARGET = "datadog/datadog";

async function run(db: Database, input: FleetExperimentSpecInput, say: (line: string) => void) {
  if (await db.fleetExperiment.findUnique({ where: { name: input.name } })) return;
  const spec = parseFleetSpec(input);
  if (!spec.ok) throw new Error(`demo: ${spec.error}`);
  const started = await startFleetExperiment(db, spec.spec, { actor: "demo", actorAuth: "local" });
  if (!started.ok) throw new Error(`demo: fleet experiment ${input.name}: ${started.error}`);
  say(`fleet experiments: ${input.name} started (watch /fleet-experiments/${input.name})`);
  const ended = await fleetPhase(db, input.name, ["promoted", "halted"], {
    settled: true,
    timeoutMs: 600_000,
  });
  say(`fleet experiments: ${input.name} ${ended.phase}${ended.haltCause ? `: ${ended.haltCause}` : ""}`);
}

/** Pins east's agent images to their own repository, as a user would edit them. */
async function pinImages(kc: KubeConfig, db: Database, clusterId: string) {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.patchNamespacedCustomObject(
    {
      group: "datadoghq.com",
      version: "v2alpha1",
      plural: "datadogagents",
      namespace: "datadog",
      name: "datadog",
      body: { spec: { override: PINNED_AGENT_SPEC.override } },
      fieldManager: "demo-user",
    },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
  // The plan reads the store: wait until east's controller has recorded the pinned spec.
  await until(
    "east's agent with its images pinned",
    async () => {
      const row = await db.agent.findUnique({ where: { clusterId_key: { clusterId, key: TARGET } } });
      // Ended phases stay in the status (promoted, terminated): only a running one is in the way.
      const running =
        row && activeExperiment({ experiment: experimentStatusColumn.decode(row.experiment) ?? undefined });
      return row?.spec.includes("gcr.io/datadoghq/agent") && !running ? true : undefined;
    },
    60_000,
  );
}

export async function fleetExperimentsScenario(
  east: { kc: KubeConfig; clusterId: string; name: string },
  west: { name: string },
  db: Database,
  say: (line: string) => void,
): Promise<void> {
  await run(
    db,
    {
      name: "demo-fleet-npm",
      config: { features: { npm: { enabled: true } } },
      agents: [TARGET],
      waves: [{ clusters: [east.name], bakeSeconds: 15 }, { clusters: [west.name] }],
    },
    say,
  );
  await pinImages(east.kc, db, east.clusterId);
  say(
    "fleet experiments: pinned east's agent images (a user edit), so a registry change does not reach them",
  );
  await run(
    db,
    {
      name: "demo-fleet-mirror",
      config: { global: { registry: CRASHLOOP_REGISTRY } },
      agents: [TARGET],
      waves: [{ clusterSelector: "ring=canary" }, { clusterSelector: "ring=main" }],
      healthGate: { graceSeconds: 20 },
    },
    say,
  );
}
