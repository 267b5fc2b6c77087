// A controller manager for unit tests of what runs on it (periodic runnables, the command
// consumer): its Kubernetes client points at no cluster, and a test that made it call one fails.
import pino from "pino";
import { HealthServer } from "../controller/http/server";
import { KubeClient } from "../controller/kube/client";
import { Manager, type ManagerOptions } from "../controller/kube/manager";

const NO_CLUSTER = {
  getCurrentCluster: () => null,
  getCurrentContext: () => "",
  applyToHTTPSOptions: async () => {
    throw new Error("a unit test has no cluster to call");
  },
};

export function managerWithoutCluster(options: Partial<ManagerOptions> = {}): Manager {
  const log = options.log ?? pino({ level: "silent" });
  return new Manager({
    client: new KubeClient(NO_CLUSTER),
    log,
    probes: new HealthServer(log),
    identity: "unit-test",
    reportingController: "fleetdeck.dev/test",
    ...options,
  });
}
