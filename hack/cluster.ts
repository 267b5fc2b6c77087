// npm run cluster:up | cluster:down | cluster:status — the named local cluster (default
// "fleetdeck"; FLEETDECK_CLUSTER picks another).
import { CoreV1Api, KubeConfig, VersionApi } from "@kubernetes/client-node";
import {
  DEFAULT_CLUSTER,
  clusterDown,
  clusterHandle,
  clusterUp,
  componentStatus,
  leftoverProcesses,
} from "../testing/local-cluster";

const name = process.env.FLEETDECK_CLUSTER || DEFAULT_CLUSTER;
const command = process.argv[2];

async function status(): Promise<number> {
  const handle = clusterHandle(name);
  const components = componentStatus(handle);
  console.log(`cluster ${name} (${handle.dir})`);
  for (const c of components)
    console.log(`  ${c.name.padEnd(24)} ${c.running ? `running pid ${c.pid}` : "stopped"}`);
  if (!components.every((c) => c.running)) {
    const stray = leftoverProcesses(handle);
    if (stray.length > 0) console.log(`  stray processes: ${stray.join(", ")}`);
    return 1;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(handle.kubeconfig);
  const version = await kc.makeApiClient(VersionApi).getCode();
  const nodes = await kc.makeApiClient(CoreV1Api).listNode();
  const ready = nodes.items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  );
  console.log(`  server ${kc.getCurrentCluster()?.server} (${version.gitVersion})`);
  console.log(`  nodes ${ready.length}/${nodes.items.length} Ready`);
  console.log(`  KUBECONFIG=${handle.kubeconfig}`);
  return 0;
}

async function main(): Promise<number> {
  switch (command) {
    case "up": {
      const result = await clusterUp(name, (line) => console.log(line));
      console.log(`cluster ${name} ${result.action} in ${result.seconds.toFixed(1)} s`);
      console.log(`export KUBECONFIG=${result.handle.kubeconfig}`);
      return 0;
    }
    case "down": {
      const result = await clusterDown(name);
      console.log(result.deleted ? `cluster ${name} deleted` : `cluster ${name} did not exist`);
      if (result.leftovers.length > 0) {
        console.error(`processes still running: ${result.leftovers.join(", ")}`);
        return 1;
      }
      return 0;
    }
    case "status":
      return status();
    default:
      console.error("usage: tsx hack/cluster.ts up|down|status");
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`cluster ${command}: ${error.message}`);
    process.exit(1);
  },
);
