// Demo scenario for metadata forwarding: a Helm release of the datadog chart (as `helm install`
// would store it) and an annotation on the sample DatadogAgent, so the Metadata page shows a
// Helm send and a live update next to the samples' first sends. Idempotent.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { crds } from "../../testing/custom-resources";
import { helmReleaseSecret } from "../../testing/helm-release";

const NAMESPACE = "datadog";

export async function metadataScenario(kc: KubeConfig, say: (line: string) => void): Promise<void> {
  const secret = helmReleaseSecret({
    namespace: NAMESPACE,
    release: "datadog-agent",
    revision: 1,
    chart: "datadog",
    chartVersion: "3.70.0",
    values: {
      datadog: { site: "datadoghq.com", apiKey: "placeholder-not-a-real-key", logs: { enabled: true } },
    },
    defaults: {
      datadog: { site: "datadoghq.com", apiKey: "", logs: { enabled: false } },
      agents: { enabled: true },
    },
  });
  try {
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: NAMESPACE, body: secret });
    say("metadata: stored a Helm release of the datadog chart (datadog/datadog-agent, revision 1)");
  } catch (error) {
    // Already stored by an earlier run (client-node's ApiException carries the HTTP status).
    if ((error as { code?: unknown }).code !== 409) throw error;
  }
  await crds(kc).patch("DatadogAgent", NAMESPACE, "datadog", {
    metadata: { annotations: { "fleetdeck.dev/demo-started-at": new Date().toISOString() } },
  });
  say("metadata: annotated DatadogAgent datadog/datadog; the Metadata page shows the update live");
}
