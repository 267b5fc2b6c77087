// Starts one real local control plane for the integration run and removes it afterwards.
// FLEETDECK_TEST_SHARED_CLUSTER=<name> uses that local cluster instead, started by the caller
// and left running: scripts/test.sh starts one for all its passes (integration, faults,
// PostgreSQL, browser). FLEETDECK_TEST_KUBECONFIG points the run at any existing cluster
// (kept as is; the tests that restart its components are skipped).
// FLEETDECK_TEST_STORE=postgresql (npm run test:pg, test:int:pg, test:faults:pg) also starts a
// real PostgreSQL server (test/store-setup.ts): every test database of the run is on it.
// Every controller the tests start uses short leader-election timings (testing/lease.ts).
import type { TestProject } from "vitest/node";
import { useTestLeaseTimings } from "../testing/lease";
import path from "node:path";
import { clusterDown, clusterHandle, clusterUp } from "../testing/local-cluster";
import { asServiceAccount, helmNamespaced, serviceAccountKubeconfig } from "./service-account";
import { startStore } from "./store-setup";

export const TEST_CLUSTER = process.env.FLEETDECK_TEST_CLUSTER ?? "fleetdeck-test";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    /** What the controller code under test uses: the admin's, or the ServiceAccount's (FLEETDECK_TEST_AS_SA=1). */
    controllerKubeconfig: string;
    clusterName: string;
  }
}

export default async function setup(project: TestProject) {
  useTestLeaseTimings();
  const releaseStore = await startStore();
  const shared = process.env.FLEETDECK_TEST_SHARED_CLUSTER;
  if (shared) {
    // Up already: this checks it still is (a pass before may have restarted its components).
    const { handle } = await clusterUp(shared);
    project.provide("kubeconfig", handle.kubeconfig);
    project.provide("clusterName", shared);
    project.provide("controllerKubeconfig", await controllerKubeconfig(handle.kubeconfig, shared));
    return releaseStore;
  }
  const existing = process.env.FLEETDECK_TEST_KUBECONFIG;
  if (existing) {
    // A local cluster kept from an earlier run (FLEETDECK_TEST_KEEP_CLUSTER) is still that
    // cluster: its directory (audit log, webhook token) is known.
    const kept = path.resolve(existing) === clusterHandle(TEST_CLUSTER).kubeconfig ? TEST_CLUSTER : "";
    project.provide("kubeconfig", existing);
    project.provide("clusterName", kept);
    project.provide("controllerKubeconfig", await controllerKubeconfig(existing, kept));
    return releaseStore;
  }
  // A fresh cluster per run: nothing left from an earlier, interrupted run can leak in.
  await clusterDown(TEST_CLUSTER);
  const { handle, seconds } = await clusterUp(TEST_CLUSTER);
  console.log(`[integration] cluster ${TEST_CLUSTER} up in ${seconds.toFixed(1)} s`);
  project.provide("kubeconfig", handle.kubeconfig);
  project.provide("clusterName", TEST_CLUSTER);
  project.provide("controllerKubeconfig", await controllerKubeconfig(handle.kubeconfig, TEST_CLUSTER));
  return async () => {
    await releaseStore();
    if (process.env.FLEETDECK_TEST_KEEP_CLUSTER === "1") return;
    const { leftovers } = await clusterDown(TEST_CLUSTER);
    if (leftovers.length > 0)
      throw new Error(`cluster ${TEST_CLUSTER} left processes behind: ${leftovers.join(", ")}`);
  };
}

async function controllerKubeconfig(admin: string, clusterName: string): Promise<string> {
  if (!asServiceAccount()) return admin;
  const file = await serviceAccountKubeconfig(admin, clusterName);
  console.log(
    "[integration] the controller code runs as ServiceAccount fleetdeck-system/fleetdeck-controller",
    helmNamespaced() ? "with namespaced Helm RBAC (config/deploy-helm-namespaces)" : "",
  );
  return file;
}
