// Starts one real local control plane for the integration run and removes it afterwards.
// FLEETDECK_TEST_KUBECONFIG points the run at an existing cluster instead (kept as is).
// FLEETDECK_TEST_STORE=postgresql (npm run test:int:pg, test:faults:pg) also starts a real
// PostgreSQL server: every test database of the run is then a database on it.
import type { TestProject } from "vitest/node";
import { TEST_POSTGRES_ENV } from "../testing/database";
import path from "node:path";
import { clusterDown, clusterHandle, clusterUp } from "../testing/local-cluster";
import { startPostgres, type PostgresServer } from "../testing/postgres";
import { asServiceAccount, helmNamespaced, serviceAccountKubeconfig } from "./service-account";

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
  const postgres = await startStore();
  const existing = process.env.FLEETDECK_TEST_KUBECONFIG;
  if (existing) {
    // A local cluster kept from an earlier run (FLEETDECK_TEST_KEEP_CLUSTER) is still that
    // cluster: its directory (audit log, webhook token) is known.
    const kept = path.resolve(existing) === clusterHandle(TEST_CLUSTER).kubeconfig ? TEST_CLUSTER : "";
    project.provide("kubeconfig", existing);
    project.provide("clusterName", kept);
    project.provide("controllerKubeconfig", await controllerKubeconfig(existing, kept));
    return () => postgres?.dispose();
  }
  // A fresh cluster per run: nothing left from an earlier, interrupted run can leak in.
  await clusterDown(TEST_CLUSTER);
  const { handle, seconds } = await clusterUp(TEST_CLUSTER);
  console.log(`[integration] cluster ${TEST_CLUSTER} up in ${seconds.toFixed(1)} s`);
  project.provide("kubeconfig", handle.kubeconfig);
  project.provide("clusterName", TEST_CLUSTER);
  project.provide("controllerKubeconfig", await controllerKubeconfig(handle.kubeconfig, TEST_CLUSTER));
  return async () => {
    postgres?.dispose();
    if (process.env.FLEETDECK_TEST_KEEP_CLUSTER === "1") return;
    const { leftovers } = await clusterDown(TEST_CLUSTER);
    if (leftovers.length > 0)
      throw new Error(`cluster ${TEST_CLUSTER} left processes behind: ${leftovers.join(", ")}`);
  };
}

/** The PostgreSQL pass: a server for the run, named to the test processes by the environment. */
export async function startStore(): Promise<PostgresServer | undefined> {
  const store = process.env.FLEETDECK_TEST_STORE ?? "sqlite";
  if (store === "sqlite") return undefined;
  if (store !== "postgresql")
    throw new Error(`FLEETDECK_TEST_STORE must be sqlite or postgresql, got "${store}"`);
  const server = await startPostgres("fleetdeck-test");
  process.env[TEST_POSTGRES_ENV] = server.url();
  console.log(
    `[integration] PostgreSQL on 127.0.0.1:${server.port} (every test database is one of its databases)`,
  );
  return server;
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
