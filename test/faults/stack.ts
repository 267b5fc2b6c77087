// What a fault test runs: real controller processes (so SIGKILL is a real crash) on the run's
// cluster with the controller's credentials, one migrated database of the run's store (SQLite,
// or PostgreSQL in that pass), and the fake intake.
import { afterAll } from "vitest";
import { openDatabase, type Database } from "../../lib/db/open";
import { clusterIdOf } from "../../testing/cluster-id";
import { launchController, type TestController } from "../../testing/controllers";
import { createTestDatabaseUrl } from "../../testing/database";
import { startFakeIntake, type FakeIntake } from "../../testing/fakeintake/server";
import { controllerKubeconfigFile, testKubeConfig } from "../harness";
import { TEST_SECRETS } from "../secrets";

export interface FaultStack {
  db: Database;
  databaseUrl: string;
  /** The run's cluster (the controllers register it when they start). */
  clusterId: string;
  intake: FakeIntake;
  controllers: TestController[];
  /** Starts a controller (leader-elected, its Lease in `namespace`) and waits until it is ready. */
  controller(id: string, env?: Record<string, string>): Promise<TestController>;
}

/** Registers afterAll cleanup; call at the top of a test file after testNamespace(). */
export function faultStack(namespace: () => string): () => Promise<FaultStack> {
  let stack: FaultStack | undefined;
  afterAll(async () => {
    if (!stack) return;
    await Promise.all(stack.controllers.map((c) => c.proc.stop()));
    await stack.intake.close();
    await stack.db.$disconnect();
  });
  return async () => {
    if (stack) return stack;
    const databaseUrl = await createTestDatabaseUrl("faults");
    const intake = await startFakeIntake();
    const controllers: TestController[] = [];
    stack = {
      db: await openDatabase({ url: databaseUrl }),
      databaseUrl,
      clusterId: await clusterIdOf(testKubeConfig()),
      intake,
      controllers,
      async controller(id, env = {}) {
        const c = await launchController({
          id,
          kubeconfig: controllerKubeconfigFile(),
          databaseUrl,
          namespace: namespace(),
          env: { DD_URL: intake.url, DD_API_KEY: TEST_SECRETS.metadataApiKey, ...env },
        });
        controllers.push(c);
        return c;
      },
    };
    return stack;
  };
}

export async function leaderOf(controllers: TestController[], timeoutMs = 30_000): Promise<TestController> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leading: TestController[] = [];
    for (const c of controllers) if (c.proc.child.exitCode === null && (await c.isLeader())) leading.push(c);
    if (leading.length === 1) return leading[0]!;
    if (Date.now() > deadline) throw new Error(`${leading.length} leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The JSON log lines of a process, parsed. */
export function logLines(c: TestController): { level: string; msg: string; [key: string]: unknown }[] {
  return c.proc
    .readLog()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { level: string; msg: string });
}
