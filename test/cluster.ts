// The run's cluster as a controller sees it (id = UID of kube-system, name = the kubeconfig's
// context), registered in a test database as a controller registers it at start: commands and
// rows of in-process tests carry it.
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../controller/kube/client";
import { readClusterIdentity, type ClusterIdentity } from "../controller/kube/cluster";
import { registerCluster } from "../controller/store/clusters";
import type { Database } from "../lib/db/open";
import { testKubeConfig } from "./harness";

export async function registeredCluster(
  db: Database,
  kc: KubeConfig = testKubeConfig(),
): Promise<ClusterIdentity> {
  const client = new KubeClient(kc, "fleetdeck-controller/test");
  try {
    const cluster = await readClusterIdentity(client);
    await registerCluster(db, cluster);
    return cluster;
  } finally {
    client.close();
  }
}
