// Demo scenario for experiments and revision history: on the sample DatadogAgent datadog/datadog,
// a user edit (a second revision), then an experiment started and stopped through the same
// commands the dashboard writes (a candidate revision and the rollback to the baseline). The
// agent page then shows a few revisions and one finished experiment. Idempotent: it does nothing
// once the demo experiment has ended.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import type { Database } from "../../lib/db/open";
import { clusterIdOf } from "../../testing/cluster-id";
import { demoCommand, until } from "./commands";

const NAMESPACE = "datadog";
const NAME = "datadog";
const TARGET = `${NAMESPACE}/${NAME}`;
const EXPERIMENT_ID = "demo-log-collection";

interface AgentState {
  metadata: { generation?: number };
  spec?: { global?: { logLevel?: string } };
  status?: { observedGeneration?: number; currentRevision?: string; experiment?: { phase?: string } };
}

export async function experimentsScenario(
  kc: KubeConfig,
  db: Database,
  say: (line: string) => void,
): Promise<void> {
  const clusterId = await clusterIdOf(kc);
  const ended = await db.experiment.findFirst({
    where: { clusterId, agentKey: TARGET, experimentId: EXPERIMENT_ID, outcome: { not: null } },
  });
  if (ended) return;

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
      return a.status?.currentRevision && a.status.observedGeneration === a.metadata.generation
        ? a
        : undefined;
    });
  const command = (kind: string, payload: unknown) => demoCommand(db, clusterId, kind, TARGET, payload);

  // A user edit, as `kubectl edit` would make it: a second revision.
  const first = await reconciled("the sample DatadogAgent's first reconcile");
  if (first.spec?.global?.logLevel !== "debug" && !first.status?.experiment) {
    await custom.patchNamespacedCustomObject(
      { ...ref, body: { spec: { global: { logLevel: "debug" } } }, fieldManager: "demo-user" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await reconciled("the edited spec to be reconciled");
    say("experiments: edited datadog/datadog (logLevel debug): a second revision");
  }

  // An experiment enabling log collection, then stopped: the baseline comes back.
  if (!(await agent()).status?.experiment) {
    await command("start-experiment", {
      experimentId: EXPERIMENT_ID,
      config: { features: { logCollection: { enabled: true } } },
      timeoutSeconds: 600,
    });
  }
  await until("the experiment's candidate to run", async () => {
    const a = await agent();
    return a.status?.experiment?.phase === "running" && a.status.observedGeneration === a.metadata.generation
      ? true
      : undefined;
  });
  await command("stop-experiment", { experimentId: EXPERIMENT_ID });
  await until("the experiment to end", async () => ((await agent()).status?.experiment ? undefined : true));
  say(`experiments: experiment ${EXPERIMENT_ID} started and rolled back on datadog/datadog`);
}
