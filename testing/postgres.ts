// A real, disposable PostgreSQL server for tests, benchmarks and `npm run demo -- --fleet`:
// Debian's `postgresql` package (initdb, pg_ctl) in a temporary directory, on 127.0.0.1 and a
// free port, removed afterwards. PostgreSQL refuses to run as root, so as root (CI, sessions)
// it runs as the `postgres` user the package creates, in a directory that user owns.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./processes";

export interface PostgresServer {
  port: number;
  /** The server's directory (data, log, socket); removed by dispose(). */
  dir: string;
  /** A URL of `database` on this server (the superuser `fleetdeck`, trusted on loopback; other logins give a password). */
  url(database?: string): string;
  /** Creates a database (a copy of `template` when given) and returns its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  /** Stops the server, keeping its data (a restart test brings it back with start()). */
  stop(mode?: "fast" | "immediate"): void;
  start(): void;
  /** Stops the server for good and removes its directory. */
  dispose(): void;
}

const SUPERUSER = "fleetdeck";

/** The directory of initdb and pg_ctl: FLEETDECK_POSTGRES_BIN, else the newest Debian package's. */
export function postgresBinDir(): string | undefined {
  const explicit = process.env.FLEETDECK_POSTGRES_BIN;
  if (explicit) return fs.existsSync(path.join(explicit, "initdb")) ? explicit : undefined;
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : undefined;
}

export const POSTGRES_MISSING =
  "PostgreSQL is not installed: apt-get install -y postgresql (.ci/run does), or set FLEETDECK_POSTGRES_BIN";

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Runs a PostgreSQL program as the user that may run it (postgres when we are root). */
function runPg(bin: string, program: string, args: string[], timeoutMs = 60_000): string {
  const file = path.join(bin, program);
  const [command, argv] = asRoot() ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args];
  return execFileSync(command, argv, {
    encoding: "utf8",
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

// Servers still running when this process exits are stopped, so an interrupted test run
// leaves no postgres behind (pg_ctl daemonizes the server).
const running = new Map<string, () => void>();
process.once("exit", () => {
  for (const stop of running.values()) stop();
});

export async function startPostgres(name = "fleetdeck"): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-pg-`));
  if (asRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    fs.chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  // C locale: text sorts byte-wise, as in SQLite; UTF-8 like any managed server.
  runPg(bin, "initdb", ["-D", data, "-U", SUPERUSER, "--auth=trust", "--no-locale", "-E", "UTF8"]);
  // The superuser is trusted on loopback; every other login (a cluster's, the hub's: npm run
  // fleet:add-cluster) gives its password, as on a real server.
  fs.writeFileSync(
    path.join(data, "pg_hba.conf"),
    `local all all trust\nhost all ${SUPERUSER} 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n`,
  );
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=300",
    // A disposable server: durability is not what is tested (as the local etcd's unsafe-no-fsync).
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
  ].join(" ");
  const pgCtl = (args: string[]) => runPg(bin, "pg_ctl", ["-D", data, ...args]);
  const start = () =>
    void pgCtl(["-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
  const stop = (mode: "fast" | "immediate" = "fast") => {
    try {
      pgCtl(["-m", mode, "-w", "-t", "60", "stop"]);
    } catch (error) {
      // Not running is fine: stop is idempotent.
      if (
        !/no server running|PID file .* does not exist/i.test(String((error as { stderr?: string }).stderr))
      )
        throw error;
    }
  };
  start();
  running.set(dir, () => stop("immediate"));
  const url = (database = "postgres") => `postgresql://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    url,
    async createDatabase(database, template) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${database}"${template ? ` TEMPLATE "${template}"` : ""}`);
      } finally {
        await client.end();
      }
      return url(database);
    },
    stop,
    start,
    dispose() {
      stop("immediate");
      running.delete(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
