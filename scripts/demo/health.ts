// Demo scenario for agent health: on the sample DatadogAgent datadog/datadog, an experiment whose
// candidate agent image crash-loops (kwok's simulated failure, config/cluster/kwok-stages.yaml)
// fails its health gate and is rolled back by the controller by itself, leaving an
// ExperimentUnhealthy Event, the rolled-back experiment and the revision history on the pages.
// Runs after the experiments scenario; idempotent: it does nothing once its experiment has ended.
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { FINAL_STATUSES, type CommandStatus } from "../../lib/commands";
import { insertCommand } from "../../lib/db/commands";
import type { Database } from "../../lib/db/open";

const NAMESPACE = "datadog";
const NAME = "datadog";
const TARGET = `${NAMESPACE}/${NAME}`;
const EXPERIMENT_ID = "demo-crashloop";
const GRACE_SECONDS = 30;

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function healthScenario(
  kc: KubeConfig,
  db: Database,
  say: (line: string) => void,
): Promise<void> {
  const row = await db.experiment.findFirst({ where: { agentKey: TARGET, experimentId: EXPERIMENT_ID } });
  if (row?.outcome) return;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const phase = async () =>
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
    const inserted = await insertCommand(db, {
      kind: "start-experiment",
      target: TARGET,
      payload: {
        experimentId: EXPERIMENT_ID,
        config: { override: { nodeAgent: { image: { tag: "7.72.1-crashloop" } } } },
        healthGate: { graceSeconds: GRACE_SECONDS },
      },
      actor: "demo",
      source: "dashboard",
    });
    if (!inserted.ok) throw new Error(`demo: start-experiment refused: ${inserted.error}`);
    const command = await until(
      "start-experiment to be applied",
      async () => {
        const c = await db.command.findUnique({ where: { id: inserted.commandId } });
        return c && FINAL_STATUSES.has(c.status as CommandStatus) ? c : undefined;
      },
      30_000,
    );
    if (command.status !== "applied")
      throw new Error(`demo: start-experiment ${command.status}: ${command.message}`);
  }
  say(
    `health: experiment ${EXPERIMENT_ID} runs a crash-looping agent image on ${TARGET}; its health gate rolls it back ` +
      `${GRACE_SECONDS} s after the first candidate pod fails (watch /agents/${TARGET})`,
  );
  await until(
    "the health gate's rollback",
    async () => ((await phase())?.id === EXPERIMENT_ID ? undefined : true),
    180_000,
  );
  const ended = await db.experiment.findFirst({ where: { agentKey: TARGET, experimentId: EXPERIMENT_ID } });
  say(`health: experiment ${EXPERIMENT_ID} ended ${ended?.outcome ?? "?"} by ${ended?.endedBy ?? "?"}`);
}
