// The whole product for browser tests: a real local cluster, a migrated database (on a real
// PostgreSQL server when the package is installed, as in CI; else a SQLite file), the
// controller and the production dashboard. Playwright reads the URL from E2E_BASE_URL.
// FLEETDECK_TEST_SHARED_CLUSTER=<name> uses that local cluster (scripts/test.sh starts one for
// every pass of a run) instead of creating one. e2e/fleet.spec.ts adds a second cluster and its
// controller to the same database.
import fs from "node:fs";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { useTestLeaseTimings } from "../testing/lease";
import { clusterDown, clusterUp, webhookAuthEnv } from "../testing/local-cluster";
import { REPO_ROOT } from "../testing/paths";
import { createPostgresDatabase, createTestDatabaseFile } from "../testing/database";
import { postgresBinDir, startPostgres, type PostgresServer } from "../testing/postgres";
import { startFakeIntake } from "../testing/fakeintake/server";
import { TEST_SECRETS } from "../test/secrets";
import { freePort, startController, startWeb, waitForHttp, type RunningProcess } from "../testing/processes";
import { spotControllerEnv } from "../test/spot";
import { deleteAllAutoscalers } from "../test/autoscaling";
import { E2E_STATE_FILE, type E2EState } from "./state";

const CLUSTER = "fleetdeck-e2e";

export default async function globalSetup() {
  if (!fs.existsSync(path.join(REPO_ROOT, ".next/BUILD_ID"))) {
    throw new Error("no production build: run npm run build before the browser tests");
  }
  useTestLeaseTimings();
  const shared = process.env.FLEETDECK_TEST_SHARED_CLUSTER;
  if (!shared) await clusterDown(CLUSTER);
  const { handle } = await clusterUp(shared ?? CLUSTER);
  if (shared) {
    // The autoscaling gate is cluster-wide and e2e/autoscaling.spec.ts opens it: a shared
    // cluster must have no autoscaler left by the passes before (as autoscaling.int.test.ts).
    const kc = new KubeConfig();
    kc.loadFromFile(handle.kubeconfig);
    await deleteAllAutoscalers(kc);
  }
  const store = process.env.FLEETDECK_E2E_STORE ?? (postgresBinDir() ? "postgresql" : "sqlite");
  // For the durations file (testing/playwright-durations.ts), which this process writes.
  process.env.FLEETDECK_E2E_STORE = store;
  let postgres: PostgresServer | undefined;
  let databaseUrl: string;
  if (store === "postgresql") {
    postgres = await startPostgres("fleetdeck-e2e");
    databaseUrl = await createPostgresDatabase(postgres.url(), "e2e");
  } else {
    databaseUrl = `file:${await createTestDatabaseFile("e2e")}`;
  }
  console.log(`[e2e] store: ${store}`);
  const healthPort = await freePort();
  const webPort = await freePort();
  const env = { KUBECONFIG: handle.kubeconfig, DATABASE_URL: databaseUrl };
  // Spot scheduling and workload autoscaling on: the pod store runs from the start (spot), the
  // gate still waits for the first autoscaler (e2e/autoscaling.spec.ts opens it).
  const spotEnv = {
    ...(await spotControllerEnv("fleetdeck-spot-e2e", webhookAuthEnv(handle))),
    DD_AUTOSCALING_WORKLOAD_ENABLED: "true",
  };
  // Commands are authorized for their actor (e2e/authorization.spec.ts); the stack's own
  // dashboard runs on loopback without a login, which keeps full power.
  const authzEnv = { FLEETDECK_AUTHZ: "kubernetes" };
  // Metadata forwarding goes to the fake intake (a placeholder key, never a real one).
  const intake = await startFakeIntake();
  const metadataEnv = { DD_URL: intake.url, DD_API_KEY: TEST_SECRETS.ddApiKey };

  const processes: RunningProcess[] = [];
  const controller = startController("e2e-controller", {
    ...env,
    ...spotEnv,
    ...authzEnv,
    ...metadataEnv,
    FLEETDECK_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
    FLEETDECK_CONTROLLER_ID: "e2e-controller",
  });
  processes.push(controller);
  const web = startWeb("e2e-web", { ...env, FLEETDECK_WEB_PORT: String(webPort) });
  processes.push(web);
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, { proc: controller });
  await waitForHttp(`http://127.0.0.1:${webPort}/api/controllers`, { proc: web });

  const state: E2EState = {
    baseURL: `http://127.0.0.1:${webPort}`,
    kubeconfig: handle.kubeconfig,
    store: store === "postgresql" ? "postgresql" : "sqlite",
    databaseUrl,
    controllerHealthURL: `http://127.0.0.1:${healthPort}`,
    controllerEnv: {
      ...env,
      ...spotEnv,
      ...authzEnv,
      ...metadataEnv,
      FLEETDECK_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
      FLEETDECK_CONTROLLER_ID: "e2e-controller",
    },
    fakeIntakeURL: intake.url,
  };
  fs.mkdirSync(path.dirname(E2E_STATE_FILE), { recursive: true });
  fs.writeFileSync(E2E_STATE_FILE, JSON.stringify(state, null, 2));
  process.env.E2E_BASE_URL = state.baseURL;

  return async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await intake.close();
    postgres?.dispose();
    if (!shared && process.env.FLEETDECK_TEST_KEEP_CLUSTER !== "1") await clusterDown(CLUSTER);
    fs.rmSync(E2E_STATE_FILE, { force: true });
  };
}
