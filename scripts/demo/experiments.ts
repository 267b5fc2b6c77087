// Demo scenario for experiments and revision history: on the sample DatadogAgent datadog/datadog,
// a user edit (a second revision), then an experiment started and stopped through the same
// commands the dashboard writes (a candidate revision and the rollback to the baseline), then one
// driven as Fleet Automation drives the operator's: the signal annotations (start with its config
// in the same patch, then rollback). The agent page then shows a few revisions and two finished
// experiments. Idempotent: each step does nothing once its experiment has ended.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import type { Database } from "../../lib/db/open";
import { isReconciled, type ReconciledView } from "../../testing/agent-state";
import { clusterIdOf } from "../../testing/cluster-id";
import { demoCommand, until } from "./commands";

const NAMESPACE = "datadog";
const NAME = "datadog";
const TARGET = `${NAMESPACE}/${NAME}`;
const EXPERIMENT_ID = "demo-log-collection";
const SIGNAL_EXPERIMENT_ID = "demo-fleet-automation";

interface AgentState extends ReconciledView {
  spec?: { global?: { logLevel?: string } };
  status?: ReconciledView["status"] & { experiment?: { phase?: string; id?: string } };
}

export async function experimentsScenario(
  kc: KubeConfig,
  db: Database,
  say: (line: string) => void,
): Promise<void> {
  const clusterId = await clusterIdOf(kc);
  const ended = async (experimentId: string) =>
    !!(await db.experiment.findFirst({
      where: { clusterId, agentKey: TARGET, experimentId, outcome: { not: null } },
    }));

  const custom = kc.makeApiClient(CustomObjectsApi);
  const ref = {
    group: "datadoghq.com",
    version: "v2alpha1",
    plural: "datadogagents",
    namespace: NAMESPACE,
    name: NAME,
  };
  const agent = async () => (await custom.getNamespacedCustomObject(ref)) as AgentState;
  /** The agent once the controller has reconciled its current generation. */
  const reconciled = (what: string) =>
    until(what, async () => {
      const a = await agent();
      return isReconciled(a) ? a : undefined;
    });
  /** The experiment `id` has run and its end shows in the status. */
  const over = (id: string) =>
    until(`experiment ${id} to end`, async () => {
      const exp = (await agent()).status?.experiment;
      return exp?.id === id && exp.phase !== "running" ? true : undefined;
    });
  const command = (kind: string, payload: unknown) => demoCommand(db, clusterId, kind, TARGET, payload);
  const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

  // A user edit, as `kubectl edit` would make it: a second revision.
  const first = await reconciled("the sample DatadogAgent's first reconcile");
  if (first.spec?.global?.logLevel !== "debug" && first.status?.experiment?.phase !== "running") {
    await custom.patchNamespacedCustomObject(
      { ...ref, body: { spec: { global: { logLevel: "debug" } } }, fieldManager: "demo-user" },
      merge,
    );
    await reconciled("the edited spec to be reconciled");
    say("experiments: edited datadog/datadog (logLevel debug): a second revision");
  }

  // An experiment enabling log collection, then stopped: the baseline comes back.
  if (!(await ended(EXPERIMENT_ID))) {
    if ((await agent()).status?.experiment?.id !== EXPERIMENT_ID) {
      await command("start-experiment", {
        experimentId: EXPERIMENT_ID,
        config: { features: { logCollection: { enabled: true } } },
        timeoutSeconds: 600,
      });
    }
    await until("the experiment's candidate to run", async () => {
      const a = await agent();
      return a.status?.experiment?.phase === "running" && isReconciled(a) ? true : undefined;
    });
    await command("stop-experiment", { experimentId: EXPERIMENT_ID });
    await over(EXPERIMENT_ID);
    say(`experiments: experiment ${EXPERIMENT_ID} started and rolled back on datadog/datadog`);
  }

  // The same through the operator's signal annotations, as Fleet Automation's daemon writes them.
  if (!(await ended(SIGNAL_EXPERIMENT_ID))) {
    const signal = (value: string, spec?: object) =>
      custom.patchNamespacedCustomObject(
        {
          ...ref,
          fieldManager: "fleet-daemon",
          body: {
            metadata: {
              annotations: {
                "experiment.datadoghq.com/signal": value,
                "experiment.datadoghq.com/id": SIGNAL_EXPERIMENT_ID,
              },
            },
            ...(spec ? { spec } : {}),
          },
        },
        merge,
      );
    if ((await agent()).status?.experiment?.id !== SIGNAL_EXPERIMENT_ID) {
      await signal("start", { features: { npm: { enabled: true } } });
    }
    await until("the signalled experiment to run", async () => {
      const a = await agent();
      return a.status?.experiment?.phase === "running" && isReconciled(a) ? true : undefined;
    });
    await signal("rollback");
    await over(SIGNAL_EXPERIMENT_ID);
    say(
      `experiments: experiment ${SIGNAL_EXPERIMENT_ID} started and rolled back through the experiment.datadoghq.com annotations`,
    );
  }
}
