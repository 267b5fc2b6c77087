// Starts fleetdeck's own processes (controller, dashboard, fleet driver) for the demo, tests, e2e and
// benchmarks, with their output in a log file, and stops them without leaving any behind.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT, STATE_DIR } from "./paths";
import { buildController, CONTROLLER_BUNDLE } from "./controller-bundle";

export const LOG_DIR = path.join(STATE_DIR, "logs");

// Every process group still running; killed when this process exits, so a test that fails or
// is torn down before its cleanup leaves no controller behind.
const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  /** SIGKILL at once: a crash, as far as the process can tell. */
  kill(): Promise<number | string>;
  readLog(): string;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): RunningProcess {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const out = fs.openSync(logFile, "w");
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", out, out],
    // Its own process group, so stopping it also stops what it started (tsx → node).
    detached: true,
  });
  fs.closeSync(out);
  if (child.pid !== undefined) running.add(child.pid);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child.pid!);
      resolve(code ?? signal ?? "unknown");
    }),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    name,
    child,
    logFile,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      // SIGTERM to the direct child only: tsx relays it to the program and waits for it. Sent to
      // the whole group, tsx would see the program receive it twice and SIGKILL it mid-shutdown.
      child.kill("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      signalGroup("SIGKILL"); // children that ignored their parent's end
      return result;
    },
    async kill() {
      signalGroup("SIGKILL");
      return exited;
    },
    readLog: () => fs.readFileSync(logFile, "utf8"),
  };
}

const TSX = path.join(REPO_ROOT, "node_modules/.bin/tsx");

/**
 * V8 flags of the controller process (also in package.json's `controller` script). A 2 MB
 * semi-space caps the young generation at ~6 MB instead of ~48 MB: a reconcile burst allocates
 * much short-lived JSON, and the default young generation showed up as ~30 MB of peak RSS.
 */
export const CONTROLLER_NODE_OPTIONS = "--max-semi-space-size=2";

let bundleBuilt = false;

/** The controller as it ships: the esbuild bundle (./controller-bundle.ts) on plain node, built once per test process. */
export function startController(
  name: string,
  env: Record<string, string | undefined>,
  /** Another build of the bundle (a benchmark comparing two commits), and more node flags (a profile). */
  options: { bundle?: string; nodeOptions?: string[] } = {},
): RunningProcess {
  if (!options.bundle && !bundleBuilt) {
    buildController();
    bundleBuilt = true;
  }
  const args = [...CONTROLLER_NODE_OPTIONS.split(" "), ...(options.nodeOptions ?? [])];
  return startProcess(name, process.execPath, [...args, options.bundle ?? CONTROLLER_BUNDLE], {
    LOG_LEVEL: process.env.FLEETDECK_TEST_LOG_LEVEL ?? "debug",
    ...env,
  });
}

export function startWeb(name: string, env: Record<string, string | undefined>): RunningProcess {
  return startProcess(name, TSX, [path.join(REPO_ROOT, "scripts/web.ts")], env);
}

/** The fleet driver (fleet-driver/main.ts), through tsx as the dashboard. */
export function startFleetDriver(name: string, env: Record<string, string | undefined>): RunningProcess {
  return startProcess(name, TSX, [path.join(REPO_ROOT, "fleet-driver/main.ts")], {
    LOG_LEVEL: process.env.FLEETDECK_TEST_LOG_LEVEL ?? "debug",
    ...env,
  });
}

// Ports handed out by this process: the kernel may offer a port again once its probe closed,
// before whoever was given it listens (a webhook port and a health port of one controller).
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

/** Polls a URL until it answers with `status` (200 by default); fails early if `proc` exits. */
export async function waitForHttp(
  url: string,
  {
    timeoutMs = 60_000,
    status = 200,
    proc,
  }: { timeoutMs?: number; status?: number; proc?: RunningProcess } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${proc.name} exited before ${url} was up:\n${proc.readLog().slice(-3000)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === status) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${url} not up after ${timeoutMs} ms (${last})`);
}
