// The real stack for benchmarks: a dedicated local cluster, a migrated database (a SQLite file;
// with `useStore("postgresql")`, a database on a real local PostgreSQL server) and controller
// processes; everything is removed at the end unless BENCH_KEEP=1.
import { KubeConfig } from "@kubernetes/client-node";
import type { Provider } from "../lib/db/url";
import { clusterIdOf } from "../testing/cluster-id";
import { clusterDown, clusterUp, type ClusterHandle } from "../testing/local-cluster";
import { launchController, type TestController } from "../testing/controllers";
import { createPostgresDatabase, createTestDatabaseUrl } from "../testing/database";
import { startPostgres, type PostgresServer } from "../testing/postgres";

/** BENCH_CLUSTER lets two benchmarks run at once, each on its own cluster. */
export const BENCH_CLUSTER = process.env.BENCH_CLUSTER ?? "fleetdeck-bench";

export interface BenchStack {
  handle: ClusterHandle;
  kc: KubeConfig;
  /** The cluster's id (UID of kube-system), as its controllers register it. */
  clusterId: string;
  controllers: TestController[];
  startController(id: string, env?: Record<string, string>, databaseUrl?: string): Promise<TestController>;
  /** DATABASE_URL of the controllers started from now on (a fresh migrated database). */
  databaseUrl: string;
  /** Switches to a fresh database of `provider` (stopping no controller: stop them first). */
  useStore(provider: Provider): Promise<string>;
  close(): Promise<void>;
}

export async function benchStack(): Promise<BenchStack> {
  await clusterDown(BENCH_CLUSTER);
  const { handle } = await clusterUp(BENCH_CLUSTER);
  const kc = new KubeConfig();
  kc.loadFromFile(handle.kubeconfig);
  const controllers: TestController[] = [];
  let postgres: PostgresServer | undefined;
  const stack: BenchStack = {
    handle,
    kc,
    clusterId: await clusterIdOf(kc),
    controllers,
    databaseUrl: await createTestDatabaseUrl("bench"),
    async useStore(provider) {
      if (provider === "sqlite") stack.databaseUrl = await createTestDatabaseUrl("bench");
      else {
        postgres ??= await startPostgres("fleetdeck-bench");
        stack.databaseUrl = await createPostgresDatabase(postgres.url(), `bench_${Date.now()}`);
      }
      return stack.databaseUrl;
    },
    async startController(id, env = {}, databaseUrl = stack.databaseUrl) {
      const c = await launchController({
        id,
        kubeconfig: handle.kubeconfig,
        databaseUrl,
        namespace: "fleetdeck-system",
        env,
      });
      controllers.push(c);
      return c;
    },
    async close() {
      await Promise.all(controllers.map((c) => c.proc.stop()));
      if (process.env.BENCH_KEEP !== "1") {
        postgres?.dispose();
        await clusterDown(BENCH_CLUSTER);
      } else if (postgres) console.log(`[bench] kept: PostgreSQL at ${stack.databaseUrl}`);
    },
  };
  return stack;
}
