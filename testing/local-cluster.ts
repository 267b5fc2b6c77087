// The local control plane: real etcd, kube-apiserver, kube-controller-manager, kube-scheduler
// and kwok, built by hack/build.sh and orchestrated by kwokctl's binary runtime. Used by the
// cluster:* scripts, the demo, the benchmarks and the integration-test harness.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { waitForApiServer, waitForNodesReady } from "./api-server";
import {
  assertBinariesBuilt,
  controlPlaneBinaries,
  type ControlPlaneBinaries,
} from "./control-plane-binaries";
import { installManifests } from "./install-manifests";
import { operatorCrdFiles } from "./operator-crds";
import { REPO_ROOT, STATE_DIR } from "./paths";
import {
  WEBHOOK_CLIENT_USER,
  webhookAuthFiles,
  writeWebhookAuth,
  type WebhookAuthFiles,
} from "./webhook-auth";

const run = promisify(execFile);

export const DEFAULT_CLUSTER = "fleetdeck";
/**
 * What fleetdeck needs in any cluster (local or kind): the datadog-operator's CRDs (from its Go
 * module, testing/operator-crds.ts) and fleetdeck's namespace.
 */
export function fleetdeckManifests(): string[] {
  return [...operatorCrdFiles(), path.join(REPO_ROOT, "config/cluster/namespace.yaml")];
}
/** kwok's Stages: its defaults plus simulated agent failures (docs/health.md). */
export const KWOK_STAGES = path.join(REPO_ROOT, "config/cluster/kwok-stages.yaml");

export interface ClusterHandle {
  name: string;
  /** Admin kubeconfig for this cluster (system:masters). */
  kubeconfig: string;
  /** kwokctl's directory for this cluster: pids/, logs/ (audit.log among them), pki/. */
  dir: string;
  /** How its API server authenticates to webhooks (testing/webhook-auth.ts). */
  webhookAuth: WebhookAuthFiles;
}

export function clusterHandle(name = DEFAULT_CLUSTER): ClusterHandle {
  return {
    name,
    kubeconfig: path.join(STATE_DIR, name === DEFAULT_CLUSTER ? "kubeconfig" : `kubeconfig-${name}`),
    dir: path.join(kwokWorkdir(), "clusters", name),
    webhookAuth: webhookAuthFiles(path.join(kwokWorkdir(), "webhook-auth", name)),
  };
}

/**
 * The spot controller's settings that make its webhook answer only this cluster's API server;
 * none for a cluster created before its API server presented a token.
 */
export function webhookAuthEnv(handle: ClusterHandle): Record<string, string> {
  return fs.existsSync(handle.webhookAuth.tokenFile)
    ? { FLEETDECK_SPOT_WEBHOOK_ALLOWED_USERS: WEBHOOK_CLIENT_USER }
    : {};
}

function kwokWorkdir(): string {
  return path.join(STATE_DIR, "kwok");
}

function kwokctlKubeconfig(name: string): string {
  return path.join(kwokWorkdir(), `${name}.kwokctl-kubeconfig`);
}

async function kwokctl(bins: ControlPlaneBinaries, name: string, args: string[], timeoutMs = 180_000) {
  return run(path.join(bins.dir, "kwokctl"), ["--name", name, ...args], {
    env: {
      ...process.env,
      KWOK_WORKDIR: kwokWorkdir(),
      KWOK_KUBE_VERSION: bins.kubeVersion,
      KWOK_RUNTIME: "binary",
    },
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
}

export interface ComponentStatus {
  name: string;
  pid: number | null;
  running: boolean;
}

const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller"];

export function componentStatus(handle: ClusterHandle): ComponentStatus[] {
  return COMPONENTS.map((name) => {
    const pid = readPid(path.join(handle.dir, "pids", `${name}.pid`));
    return { name, pid, running: pid !== null && isAlive(pid) };
  });
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every live process whose command line mentions this cluster's directory. */
export function leftoverProcesses(handle: ClusterHandle): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(`${handle.dir}/`) || cmdline.includes(`${handle.dir} `)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export interface StoppedComponent {
  name: string;
  argv: string[];
  cwd: string;
}

/**
 * Stops one component of a running cluster (SIGTERM, then SIGKILL after 10 s), remembering its
 * command line so startComponent can bring the same process back: for restart and outage tests.
 */
export async function stopComponent(handle: ClusterHandle, name: string): Promise<StoppedComponent> {
  const pid = readPid(path.join(handle.dir, "pids", `${name}.pid`));
  if (pid === null || !isAlive(pid)) throw new Error(`${name} of cluster ${handle.name} is not running`);
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 10_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) process.kill(pid, "SIGKILL");
    await sleep(50);
  }
  return { name, argv, cwd };
}

export function startComponent(handle: ClusterHandle, stopped: StoppedComponent): number {
  const log = fs.openSync(path.join(handle.dir, "logs", `${stopped.name}.log`), "a");
  const child = spawn(stopped.argv[0]!, stopped.argv.slice(1), {
    cwd: stopped.cwd,
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(path.join(handle.dir, "pids", `${stopped.name}.pid`), String(child.pid));
  return child.pid!;
}

function exists(handle: ClusterHandle): boolean {
  return fs.existsSync(path.join(handle.dir, "kwok.yaml"));
}

/** Where a cluster records the digest of the Stages it was created with. */
function stagesStamp(handle: ClusterHandle): string {
  return path.join(handle.dir, "fleetdeck-stages.sha256");
}

function stagesDigest(): string {
  return createHash("sha256").update(fs.readFileSync(KWOK_STAGES)).digest("hex");
}

/** kwok reads its Stages once, at creation: a cluster made with other Stages is made again. */
function hasCurrentStages(handle: ClusterHandle): boolean {
  try {
    return fs.readFileSync(stagesStamp(handle), "utf8").trim() === stagesDigest();
  } catch {
    return false;
  }
}

export interface UpResult {
  handle: ClusterHandle;
  /** "created", "started" (existed, was stopped) or "running" (nothing to do). */
  action: "created" | "started" | "running";
  seconds: number;
}

/**
 * Brings the named cluster up (creating it when needed), installs the nodes and CRDs, and
 * waits until the API server is ready and every node is Ready. Idempotent.
 */
export async function clusterUp(
  name = DEFAULT_CLUSTER,
  log: (line: string) => void = () => {},
): Promise<UpResult> {
  const started = Date.now();
  const bins = controlPlaneBinaries();
  assertBinariesBuilt(bins);
  const handle = clusterHandle(name);
  fs.mkdirSync(STATE_DIR, { recursive: true });

  let action: UpResult["action"] = "running";
  if (exists(handle) && !hasCurrentStages(handle)) {
    log(`cluster ${name} was created with other kwok Stages (${KWOK_STAGES}): creating it again`);
    await clusterDown(name);
  }
  const status = componentStatus(handle);
  if (!exists(handle)) {
    log(
      `creating cluster ${name} (kube ${bins.kubeVersion}, etcd ${bins.etcdVersion}, kwok ${bins.kwokVersion})`,
    );
    fs.rmSync(handle.dir, { recursive: true, force: true });
    const binaries = {
      "kube-apiserver": "kube-apiserver",
      "kube-controller-manager": "kube-controller-manager",
      "kube-scheduler": "kube-scheduler",
      "kwok-controller": "kwok",
      etcd: "etcd",
    };
    const extraArgs = [
      // A local cluster is disposable: skip fsync; serve the API on loopback only.
      "etcd=unsafe-no-fsync=true",
      "kube-apiserver=bind-address=127.0.0.1",
      // Single instances need no leader election, and with it they exit for good when the API
      // server is away longer than their renew deadline (restart and outage tests do that).
      "kube-controller-manager=leader-elect=false",
      "kube-scheduler=leader-elect=false",
      // The API server presents a token to admission webhooks, which they check (TokenReview).
      ...writeWebhookAuth(handle.webhookAuth),
    ];
    const create = () =>
      kwokctl(bins, name, [
        ...["create", "cluster", "--runtime", "binary"],
        ...Object.entries(binaries).flatMap(([flag, file]) => [
          `--${flag}-binary`,
          path.join(bins.dir, file),
        ]),
        // kwokctl merges a context into this file; keep it away from the user's ~/.kube/config.
        ...["--kubeconfig", kwokctlKubeconfig(name)],
        ...["--kube-audit-policy", path.join(REPO_ROOT, "config/cluster/audit-policy.yaml")],
        ...["--config", KWOK_STAGES],
        ...extraArgs.flatMap((arg) => ["--extra-args", arg]),
        ...["--disable-qps-limits", "--wait", "120s"],
      ]);
    try {
      await create();
    } catch (error) {
      // On a machine busy with other clusters the API server may miss kwokctl's 120 s: once more.
      log(
        `creating cluster ${name} failed (${String((error as Error).message).split("\n")[0]}); retrying once`,
      );
      await kwokctl(bins, name, ["delete", "cluster"]).catch(() => undefined);
      fs.rmSync(handle.dir, { recursive: true, force: true });
      await create();
    }
    fs.writeFileSync(stagesStamp(handle), stagesDigest());
    action = "created";
  } else if (!status.every((c) => c.running)) {
    log(`starting stopped cluster ${name}`);
    try {
      await kwokctl(bins, name, ["start", "cluster", "--wait", "120s"]);
    } catch (error) {
      // kwokctl chose its ports when it created the cluster; another process may hold one now.
      log(`starting ${name} failed (${String((error as Error).message).split("\n")[0]}); creating it again`);
      await clusterDown(name);
      return clusterUp(name, log);
    }
    action = "started";
  }

  const { stdout } = await kwokctl(bins, name, ["get", "kubeconfig"]);
  fs.writeFileSync(handle.kubeconfig, stdout, { mode: 0o600 });

  const kc = new KubeConfig();
  kc.loadFromFile(handle.kubeconfig);
  await waitForApiServer(kc);
  await installManifests(kc, [...fleetdeckManifests(), path.join(REPO_ROOT, "config/cluster/nodes.yaml")]);
  await waitForNodesReady(kc, 6);
  return { handle, action, seconds: (Date.now() - started) / 1000 };
}

/** Stops the cluster's processes but keeps its data, so the next clusterUp is a warm start. */
export async function clusterStop(name = DEFAULT_CLUSTER): Promise<void> {
  const bins = controlPlaneBinaries();
  if (exists(clusterHandle(name))) await kwokctl(bins, name, ["stop", "cluster"]);
}

export async function clusterDown(
  name = DEFAULT_CLUSTER,
): Promise<{ deleted: boolean; leftovers: number[] }> {
  const bins = controlPlaneBinaries();
  const handle = clusterHandle(name);
  let deleted = false;
  if (exists(handle) && fs.existsSync(path.join(bins.dir, "kwokctl"))) {
    await kwokctl(bins, name, ["delete", "cluster"]);
    deleted = true;
  }
  // kwokctl stops what it started; anything still holding the directory is killed, so
  // "down" never leaves a process behind.
  let leftovers = leftoverProcesses(handle);
  for (const pid of leftovers) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (leftovers.length > 0) await sleep(200);
  leftovers = leftoverProcesses(handle);
  fs.rmSync(handle.dir, { recursive: true, force: true });
  fs.rmSync(handle.webhookAuth.dir, { recursive: true, force: true });
  fs.rmSync(handle.kubeconfig, { force: true });
  fs.rmSync(kwokctlKubeconfig(name), { force: true });
  return { deleted, leftovers };
}
