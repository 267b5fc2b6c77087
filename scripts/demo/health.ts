// Demo scenario for agent health: on the sample DatadogAgent datadog/datadog, an experiment whose
// candidate agent image crash-loops (kwok's simulated failure, config/cluster/kwok-stages.yaml)
// fails its health gate and is rolled back by the controller by itself, leaving an
// ExperimentUnhealthy Event, the rolled-back experiment and the revision history on the pages.
// Runs after the experiments scenario; idempotent: it does nothing once its experiment has ended.
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { Database } from "../../lib/db/open";
import { clusterIdOf } from "../../testing/cluster-id";
import { demoCommand, until } from "./commands";

const NAMESPACE = "datadog";
const NAME = "datadog";
const TARGET = `${NAMESPACE}/${NAME}`;
const EXPERIMENT_ID = "demo-crashloop";
const GRACE_SECONDS = 30;

export async function healthScenario(
  kc: KubeConfig,
  db: Database,
  say: (line: string) => void,
): Promise<void> {
  const clusterId = await clusterIdOf(kc);
  const row = await db.experiment.findFirst({
    where: { clusterId, agentKey: TARGET, experimentId: EXPERIMENT_ID },
  });
  if (row?.outcome) return;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const experiment = async () =>
    (
      (await custom.getNamespacedCustomObject({
        group: "datadoghq.com",
        version: "v2alpha1",
        plural: "datadogagents",
        namespace: NAMESPACE,
        name: NAME,
      })) as { status?: { experiment?: { phase?: string; id?: string } } }
    ).status?.experiment;

  if (!row) {
    await demoCommand(db, clusterId, "start-experiment", TARGET, {
      experimentId: EXPERIMENT_ID,
      config: { override: { nodeAgent: { image: { tag: "7.72.1-crashloop" } } } },
      healthGate: { graceSeconds: GRACE_SECONDS },
    });
  }
  say(
    `health: experiment ${EXPERIMENT_ID} runs a crash-looping agent image on ${TARGET}; its health gate rolls it back ` +
      `${GRACE_SECONDS} s after the first candidate pod fails (watch /agents/${TARGET})`,
  );
  await until(
    "the health gate's rollback",
    async () => {
      const exp = await experiment();
      return exp?.id === EXPERIMENT_ID && exp.phase === "running" ? undefined : true;
    },
    180_000,
  );
  const ended = await db.experiment.findFirst({
    where: { clusterId, agentKey: TARGET, experimentId: EXPERIMENT_ID },
  });
  say(`health: experiment ${EXPERIMENT_ID} ended ${ended?.outcome ?? "?"} by ${ended?.endedBy ?? "?"}`);
}
