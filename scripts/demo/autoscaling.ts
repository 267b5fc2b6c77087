// The demo's workload autoscaling scenario: the controller runs with workload autoscaling on,
// and its pod-watch gate stays closed (see /autoscaling) until this scenario applies
// config/samples/autoscaling (a Deployment, its DatadogPodAutoscaler and a cluster profile)
// half a minute after the controller is ready. The sample autoscalers are removed before the
// controller starts, so every demo run shows the gate closed first.
import path from "node:path";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { installManifests, readManifests } from "../../testing/install-manifests";
import { REPO_ROOT } from "../../testing/paths";

const SAMPLES = path.join(REPO_ROOT, "config/samples/autoscaling");
const DELAY_MS = 30_000;
const AUTOSCALER_KINDS: Record<string, string> = {
  DatadogPodAutoscaler: "datadogpodautoscalers",
  DatadogPodAutoscalerClusterProfile: "datadogpodautoscalerclusterprofiles",
};

/** Workload autoscaling on for the demo controller, unless the environment says otherwise. */
export function autoscalingDemoEnv(
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  return env.DD_AUTOSCALING_WORKLOAD_ENABLED === undefined ? { DD_AUTOSCALING_WORKLOAD_ENABLED: "true" } : {};
}

/** Deletes the sample autoscalers a previous demo run applied (before the controller starts). */
export async function removeSampleAutoscalers(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const obj of readManifests([SAMPLES])) {
    const plural = AUTOSCALER_KINDS[obj.kind ?? ""];
    if (!plural) continue;
    const name = obj.metadata?.name ?? "";
    const target = { group: "datadoghq.com", version: "v1alpha2", plural, name };
    await (
      obj.metadata?.namespace
        ? api.deleteNamespacedCustomObject({ ...target, namespace: obj.metadata.namespace })
        : api.deleteClusterCustomObject(target)
    ).catch(() => undefined);
  }
}

export async function runAutoscalingDemo(kc: KubeConfig, say: (line: string) => void): Promise<void> {
  say(
    `autoscaling: the pod-watch gate is closed (no autoscaler); applying config/samples/autoscaling in ${DELAY_MS / 1000} s (watch /autoscaling)`,
  );
  await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
  await installManifests(kc, [SAMPLES]);
  say(
    "autoscaling: applied shop/checkout and its DatadogPodAutoscaler and the cpu-70 profile: the gate opens",
  );
}
