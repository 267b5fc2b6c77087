// The real stack for benchmarks: a dedicated local cluster, a migrated SQLite file, and
// controller processes; everything is removed at the end unless BENCH_KEEP=1.
import { KubeConfig } from "@kubernetes/client-node";
import { clusterDown, clusterUp, type ClusterHandle } from "../testing/local-cluster";
import { launchController, type TestController } from "../testing/controllers";
import { createTestDatabaseFile } from "../testing/database";

export const BENCH_CLUSTER = "fleetdeck-bench";

export interface BenchStack {
  handle: ClusterHandle;
  kc: KubeConfig;
  controllers: TestController[];
  startController(id: string, env?: Record<string, string>, databaseFile?: string): Promise<TestController>;
  databaseFile: string;
  close(): Promise<void>;
}

export async function benchStack(): Promise<BenchStack> {
  await clusterDown(BENCH_CLUSTER);
  const { handle } = await clusterUp(BENCH_CLUSTER);
  const kc = new KubeConfig();
  kc.loadFromFile(handle.kubeconfig);
  const databaseFile = await createTestDatabaseFile("bench");
  const controllers: TestController[] = [];
  return {
    handle,
    kc,
    controllers,
    databaseFile,
    async startController(id, env = {}, file = databaseFile) {
      const c = await launchController({
        id,
        kubeconfig: handle.kubeconfig,
        databaseFile: file,
        namespace: "fleetdeck-system",
        env,
      });
      controllers.push(c);
      return c;
    },
    async close() {
      await Promise.all(controllers.map((c) => c.proc.stop()));
      if (process.env.BENCH_KEEP !== "1") await clusterDown(BENCH_CLUSTER);
    },
  };
}
