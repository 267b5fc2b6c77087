// A cluster's id as the controller registers it (the UID of kube-system), for what writes
// commands from outside the dashboard: tests, benchmarks, the demo.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";

export async function clusterIdOf(kc: KubeConfig | string): Promise<string> {
  const config = typeof kc === "string" ? new KubeConfig() : kc;
  if (typeof kc === "string") config.loadFromFile(kc);
  const ns = await config.makeApiClient(CoreV1Api).readNamespace({ name: "kube-system" });
  if (!ns.metadata?.uid) throw new Error("kube-system has no UID");
  return ns.metadata.uid;
}
