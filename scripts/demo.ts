// npm run demo — the whole product on one machine: builds what is missing, starts the local
// cluster (or uses KUBECONFIG's), installs the CRDs and samples, migrates the database, starts
// the controller and the production dashboard on 127.0.0.1:3000, and stops it all on Ctrl-C.
// npm run demo -- --fleet — a fleet: two local clusters (east, west), a local PostgreSQL server
// in a temporary directory, a controller per cluster (each on its cluster's own database login)
// and one dashboard (on the hub's), the demo scenarios
// spread over both clusters.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { migrateDatabase } from "../lib/db/migrate";
import { clusterIdOf } from "../testing/cluster-id";
import { openDatabase } from "../lib/db/open";
import { databaseFile } from "../lib/db/url";
import { startPostgres, type PostgresServer } from "../testing/postgres";
import { addCluster, addHub } from "./fleet/logins";
import { waitForApiServer } from "../testing/api-server";
import { assertBinariesBuilt } from "../testing/control-plane-binaries";
import { startFakeIntake, type FakeIntake } from "../testing/fakeintake/server";
import { installManifests } from "../testing/install-manifests";
import {
  clusterDown,
  clusterStop,
  clusterUp,
  fleetdeckManifests,
  webhookAuthEnv,
} from "../testing/local-cluster";
import { REPO_ROOT } from "../testing/paths";
import { LOG_DIR, startController, startWeb, waitForHttp, type RunningProcess } from "../testing/processes";
import { experimentsScenario } from "./demo/experiments";
import { healthScenario } from "./demo/health";
import { metadataScenario } from "./demo/metadata";
import { autoscalingDemoEnv, removeSampleAutoscalers, runAutoscalingDemo } from "./demo/autoscaling";
import { runSpotDemo, spotDemoEnv } from "./demo/spot";

const WEB_HOST = process.env.FLEETDECK_WEB_HOST ?? "127.0.0.1";
const WEB_PORT = process.env.FLEETDECK_WEB_PORT ?? "3000";
const HEALTH_ADDR = process.env.FLEETDECK_HEALTH_ADDR ?? "127.0.0.1:8081";
const say = (line: string) => console.log(`[demo] ${line}`);

function run(command: string, args: string[]) {
  execFileSync(command, args, {
    cwd: REPO_ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
}

/** The production build is redone when any source it depends on is newer than it. */
function dashboardBuildIsStale(): boolean {
  const buildId = path.join(REPO_ROOT, ".next/BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const builtAt = fs.statSync(buildId).mtimeMs;
  const newer = (dir: string): boolean =>
    fs.existsSync(dir) &&
    fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newer(full) : fs.statSync(full).mtimeMs > builtAt;
    });
  return ["app", "components", "server", "lib", "prisma/models.prisma"].some((p) => {
    const full = path.join(REPO_ROOT, p);
    return (
      fs.existsSync(full) &&
      (fs.statSync(full).isDirectory() ? newer(full) : fs.statSync(full).mtimeMs > builtAt)
    );
  });
}

const processes: RunningProcess[] = [];
let intake: FakeIntake | undefined;
const stopClusters: (() => Promise<void>)[] = [];
let postgres: PostgresServer | undefined;
let shuttingDown = false;

/** Stops what the demo started (and the clusters and server, when the demo started them), then exits. */
async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  say("stopping...");
  await Promise.all(processes.map((p) => p.stop()));
  await intake?.close();
  for (const stop of stopClusters) await stop();
  postgres?.dispose();
  say("stopped");
  process.exit(code);
}

function ensureControlPlane() {
  try {
    assertBinariesBuilt();
  } catch {
    say("building the local control plane (first run only; 10-20 minutes)");
    run(path.join(REPO_ROOT, "hack/build.sh"), []);
  }
}

function ensureDashboardBuild() {
  if (dashboardBuildIsStale()) {
    say("building the dashboard (next build)");
    run("npm", ["run", "-s", "build"]);
  }
}

/** Metadata goes to the local fake intake, never to Datadog: a placeholder key, short heartbeats. */
async function startIntake(): Promise<Record<string, string>> {
  intake = await startFakeIntake({ port: Number(process.env.FLEETDECK_FAKEINTAKE_PORT ?? 0) });
  say(`fake metadata intake at ${intake.url} (what it received: ${intake.url}/fakeintake/records)`);
  return {
    DD_URL: intake.url,
    DD_API_KEY: "demo-placeholder-not-a-real-key",
    FLEETDECK_METADATA_CRD_HEARTBEAT_SECONDS: "60",
    FLEETDECK_METADATA_HELM_HEARTBEAT_SECONDS: "60",
  };
}

/** Any process that exits while the demo runs ends the demo, with where its log is. */
function watchProcesses() {
  for (const p of processes) {
    void p.exited.then((code) => {
      if (!shuttingDown) {
        say(`${p.name} exited (${code}); see ${p.logFile}`);
        void shutdown(1);
      }
    });
  }
}

async function main() {
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  if (process.argv.includes("--fleet")) return fleet();

  let kubeconfig = process.env.KUBECONFIG;
  let webhookEnv: Record<string, string> = {};
  if (kubeconfig) {
    say(`using the cluster of KUBECONFIG=${kubeconfig}`);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    await waitForApiServer(kc, 15_000);
    await installManifests(kc, fleetdeckManifests());
  } else {
    ensureControlPlane();
    const up = await clusterUp(undefined, say);
    say(`local cluster ${up.action} in ${up.seconds.toFixed(1)} s`);
    if (up.action !== "running") stopClusters.push(() => clusterStop());
    kubeconfig = up.handle.kubeconfig;
    // The local API server presents a token to the spot webhook, which answers only it.
    webhookEnv = webhookAuthEnv(up.handle);
  }

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  await installManifests(kc, [path.join(REPO_ROOT, "config/samples")]);
  say("installed the CRDs and the samples of config/samples");

  const dbFile = databaseFile();
  await migrateDatabase(dbFile);
  say(`database ${dbFile} migrated`);

  ensureDashboardBuild();
  const metadataEnv = await startIntake();

  await removeSampleAutoscalers(kc);
  const env = { KUBECONFIG: kubeconfig, DATABASE_URL: `file:${dbFile}` };
  const controller = startController("controller", {
    ...spotDemoEnv(),
    ...webhookEnv,
    ...autoscalingDemoEnv(),
    ...env,
    ...metadataEnv,
    FLEETDECK_HEALTH_ADDR: HEALTH_ADDR,
  });
  processes.push(controller);
  const web = startWeb("web", { ...env, FLEETDECK_WEB_HOST: WEB_HOST, FLEETDECK_WEB_PORT: WEB_PORT });
  processes.push(web);
  watchProcesses();
  await waitForHttp(`http://${HEALTH_ADDR}/readyz`, { proc: controller });
  void runSpotDemo(kc, process.env.FLEETDECK_SPOT_WEBHOOK_NAME ?? "fleetdeck-spot", say).catch(
    (error: Error) => say(`spot scenario failed: ${error.message}`),
  );
  void runAutoscalingDemo(kc, say).catch((error: Error) =>
    say(`autoscaling scenario failed: ${error.message}`),
  );
  // /login answers whether or not the dashboard requires a token (the API refuses without one).
  await waitForHttp(`http://${WEB_HOST}:${WEB_PORT}/login`, { proc: web });
  const db = await openDatabase({ file: dbFile });
  await experimentsScenario(kc, db, say);
  // In the background: the health gate's rollback comes a grace period later.
  void healthScenario(kc, db, say)
    .catch((error: Error) => say(`health scenario failed: ${error.message}`))
    .finally(() => db.$disconnect());
  await metadataScenario(kc, say);

  say(`logs in ${LOG_DIR}`);
  say(`KUBECONFIG=${kubeconfig}`);
  console.log(`\n  fleetdeck is running at http://${WEB_HOST}:${WEB_PORT}\n  Press Ctrl-C to stop.\n`);
}

/** The fleet: two local clusters, one local PostgreSQL, a controller per cluster, one dashboard. */
async function fleet() {
  ensureControlPlane();
  say("fleet: starting the clusters east and west and a local PostgreSQL server");
  // One after the other: kwokctl picks free ports when it creates a cluster, and two creations
  // at once could pick the same.
  const up: { name: string; cluster: string; health: string; kubeconfig: string; kc: KubeConfig }[] = [];
  const ids = new Set<string>();
  for (const c of FLEET_CLUSTERS) {
    const log = (line: string) => say(`${c.name}: ${line}`);
    let started = await clusterUp(c.cluster, log);
    let kc = new KubeConfig();
    kc.loadFromFile(started.handle.kubeconfig);
    // kwokctl gives a cluster free ports when it creates it; a cluster left stopped by an
    // earlier run may hold ports another one took since, and then share its etcd.
    if (ids.has(await clusterIdOf(kc))) {
      log(`cluster ${c.cluster} answers with another cluster's identity (ports reused): creating it again`);
      await clusterDown(c.cluster);
      started = await clusterUp(c.cluster, log);
      kc = new KubeConfig();
      kc.loadFromFile(started.handle.kubeconfig);
    }
    ids.add(await clusterIdOf(kc));
    if (started.action !== "running") stopClusters.push(() => clusterStop(c.cluster));
    await installManifests(kc, [path.join(REPO_ROOT, "config/samples")]);
    up.push({ ...c, kubeconfig: started.handle.kubeconfig, kc });
  }
  const [east, west] = up;
  try {
    postgres = await startPostgres("fleetdeck-demo");
  } catch (error) {
    throw new Error(`the fleet demo needs PostgreSQL: ${(error as Error).message}`);
  }
  const databaseUrl = await postgres.createDatabase("fleetdeck");
  await migrateDatabase({ provider: "postgresql", url: databaseUrl });
  say(`PostgreSQL on 127.0.0.1:${postgres.port} (data in ${postgres.dir}, removed on Ctrl-C), migrated`);
  // Each cluster's controllers log in as that cluster (row-level security: its rows only), the
  // dashboard and the demo's own writes as the hub (npm run fleet:add-cluster, fleet:add-hub).
  const logins = new Map<string, string>();
  for (const c of up) {
    const login = await addCluster(databaseUrl, { name: c.name, clusterId: await clusterIdOf(c.kc) });
    logins.set(c.name, login.databaseUrl);
    say(`${c.name}: database login ${login.role} (this cluster's rows only)`);
  }
  const hub = await addHub(databaseUrl);
  say(`dashboard: database login ${hub.role} (the hub's)`);
  ensureDashboardBuild();
  const metadataEnv = await startIntake();

  // east: spot scheduling and experiments; west: workload autoscaling and the Helm release.
  await removeSampleAutoscalers(west!.kc);
  const controllers = [
    { ...east!, env: { ...spotDemoEnv(), ...metadataEnv } },
    { ...west!, env: { ...autoscalingDemoEnv(), ...metadataEnv } },
  ].map((c) =>
    startController(`controller-${c.name}`, {
      ...c.env,
      KUBECONFIG: c.kubeconfig,
      DATABASE_URL: logins.get(c.name)!,
      FLEETDECK_CLUSTER_NAME: c.name,
      FLEETDECK_CONTROLLER_ID: `controller-${c.name}`,
      FLEETDECK_HEALTH_ADDR: c.health,
    }),
  );
  processes.push(...controllers);
  const web = startWeb("web", {
    DATABASE_URL: hub.databaseUrl,
    FLEETDECK_WEB_HOST: WEB_HOST,
    FLEETDECK_WEB_PORT: WEB_PORT,
  });
  processes.push(web);
  watchProcesses();
  for (const [i, c] of [east!, west!].entries())
    await waitForHttp(`http://${c.health}/readyz`, { proc: controllers[i] });
  void runSpotDemo(east!.kc, process.env.FLEETDECK_SPOT_WEBHOOK_NAME ?? "fleetdeck-spot", (l) =>
    say(`east: ${l}`),
  ).catch((error: Error) => say(`east: spot scenario failed: ${error.message}`));
  void runAutoscalingDemo(west!.kc, (l) => say(`west: ${l}`)).catch((error: Error) =>
    say(`west: autoscaling scenario failed: ${error.message}`),
  );
  await waitForHttp(`http://${WEB_HOST}:${WEB_PORT}/login`, { proc: web });
  const db = await openDatabase({ url: hub.databaseUrl });
  await experimentsScenario(east!.kc, db, (l) => say(`east: ${l}`)).finally(() => db.$disconnect());
  await metadataScenario(west!.kc, (l) => say(`west: ${l}`));

  say(`logs in ${LOG_DIR}`);
  for (const c of [east!, west!]) say(`${c.name}: KUBECONFIG=${c.kubeconfig}`);
  console.log(
    `\n  the fleetdeck fleet (east, west) is running at http://${WEB_HOST}:${WEB_PORT}\n  Press Ctrl-C to stop.\n`,
  );
}

const FLEET_CLUSTERS = [
  { name: "east", cluster: "fleetdeck-east", health: "127.0.0.1:8081" },
  { name: "west", cluster: "fleetdeck-west", health: "127.0.0.1:8082" },
];

main().catch((error: Error) => {
  console.error(`[demo] failed: ${error.message}`);
  void shutdown(1);
});
