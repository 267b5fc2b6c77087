// The fleet's database logins (PostgreSQL), run by the owner with the owner's DATABASE_URL:
//   npm run -s fleet:add-cluster -- <name> (--kubeconfig <file> [--context <ctx>] | --cluster-id <uid>) [--host <host:port>]
//   npm run -s fleet:remove-cluster -- <name or id>
//   npm run -s fleet:add-hub -- [--host <host:port>]
//   npm run -s fleet:remove-hub -- <login>
// add-* print the Secret to apply (stdout, nothing else: pipe it to `kubectl apply -f -`); what
// was done goes to stderr. See docs/fleet.md, "Database logins".
import { KubeConfig } from "@kubernetes/client-node";
import { storeLocation } from "../lib/db/url";
import { clusterIdOf } from "../testing/cluster-id";
import {
  addCluster,
  addHub,
  CLUSTER_SECRET,
  FleetLoginError,
  HUB_SECRET,
  removeCluster,
  removeHub,
  secretManifest,
} from "./fleet/logins";

const USAGE = `usage (DATABASE_URL: the owner's PostgreSQL URL):
  npm run -s fleet:add-cluster -- <name> (--kubeconfig <file> [--context <ctx>] | --cluster-id <kube-system UID>) [--host <host:port>]
  npm run -s fleet:remove-cluster -- <name or id>
  npm run -s fleet:add-hub -- [--host <host:port>]
  npm run -s fleet:remove-hub -- <login>`;

const say = (line: string) => process.stderr.write(`${line}\n`);

function parse(argv: string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) positional.push(arg);
    else if (["--kubeconfig", "--context", "--cluster-id", "--host"].includes(arg) && argv[i + 1]) {
      flags.set(arg.slice(2), argv[++i]!);
    } else throw new FleetLoginError(`unknown or incomplete option ${arg}\n${USAGE}`);
  }
  return { positional, flags };
}

/** The cluster id: given, or the UID of kube-system read with the kubeconfig (the cluster's own). */
async function clusterIdFrom(flags: Map<string, string>): Promise<string> {
  const given = flags.get("cluster-id");
  const file = flags.get("kubeconfig");
  if (given && file) throw new FleetLoginError("give --cluster-id or --kubeconfig, not both");
  if (given) return given;
  if (!file) {
    throw new FleetLoginError(
      "the cluster's id is needed to bind its login: --kubeconfig <file> (read from kube-system), or " +
        "--cluster-id \"$(kubectl get namespace kube-system -o jsonpath='{.metadata.uid}')\"",
    );
  }
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    if (flags.has("context")) kc.setCurrentContext(flags.get("context")!);
    return await clusterIdOf(kc);
  } catch (error) {
    throw new FleetLoginError(`cannot read the cluster's id with ${file}: ${(error as Error).message}`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { positional, flags } = parse(rest);
  const location = storeLocation();
  if (location.provider !== "postgresql") {
    throw new FleetLoginError(
      "DATABASE_URL must be the fleet's PostgreSQL database, as its owner: SQLite has no logins (its trust boundary is the file)",
    );
  }
  const owner = location.url;
  const host = flags.get("host");
  switch (command) {
    case "add-cluster": {
      const [name] = positional;
      if (!name || positional.length > 1) throw new FleetLoginError(USAGE);
      const clusterId = await clusterIdFrom(flags);
      const login = await addCluster(owner, { name, clusterId, host });
      say(`added cluster ${name} (${clusterId}) with database login ${login.role}`);
      say(
        `apply the Secret below in that cluster (config/deploy/fleet/cluster reads it), e.g. | kubectl apply -f -`,
      );
      process.stdout.write(secretManifest(CLUSTER_SECRET, login, `Cluster ${name} (${clusterId})`));
      return;
    }
    case "remove-cluster": {
      const [nameOrId] = positional;
      if (!nameOrId || positional.length > 1) throw new FleetLoginError(USAGE);
      const removed = await removeCluster(owner, nameOrId);
      say(
        `removed database login ${removed.role} of cluster ${removed.cluster.name} (${removed.cluster.id})`,
      );
      say(
        `ended ${removed.terminated} of its sessions` +
          (removed.left
            ? `; ${removed.left} could not be ended (no pg_signal_backend) and can reach nothing`
            : ""),
      );
      const kept = Object.entries(removed.kept).map(([table, n]) => `${table} ${n}`);
      say(`kept the cluster and its rows${kept.length ? `: ${kept.join(", ")}` : " (none)"}`);
      return;
    }
    case "add-hub": {
      if (positional.length > 0) throw new FleetLoginError(USAGE);
      const login = await addHub(owner, { host });
      say(`added hub login ${login.role} (the dashboard's and the fleet driver's)`);
      say(
        `apply the Secret below in the hub cluster (config/deploy/fleet/hub reads it), e.g. | kubectl apply -f -`,
      );
      process.stdout.write(secretManifest(HUB_SECRET, login, "The fleet's hub (dashboard, fleet driver)"));
      return;
    }
    case "remove-hub": {
      const [role] = positional;
      if (!role || positional.length > 1) throw new FleetLoginError(USAGE);
      const ended = await removeHub(owner, role);
      say(`removed hub login ${role}; ended ${ended.terminated} of its sessions`);
      return;
    }
    default:
      throw new FleetLoginError(USAGE);
  }
}

main().catch((error: Error) => {
  const known = error instanceof FleetLoginError;
  say(`fleet: ${known ? error.message : (error.stack ?? error.message)}`);
  process.exit(known ? 2 : 1);
});
