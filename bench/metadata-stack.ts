// The stack of the metadata benchmarks: a dedicated cluster, the fake intake in its own process
// (as the real intake is another service: the benchmark's own load must not slow its answers)
// and a real controller forwarding to it.
import path from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { REPO_ROOT } from "../testing/paths";
import type { TestController } from "../testing/controllers";
import type { IntakeRecord } from "../testing/fakeintake/server";
import { crds } from "../testing/custom-resources";
import { freePort, startProcess, waitForHttp, type RunningProcess } from "../testing/processes";
import { benchStack, type BenchStack } from "./stack";
import { eventuallyLeader, sleep } from "./util";

export interface MetadataBenchStack {
  stack: BenchStack;
  controller: TestController;
  namespace: string;
  api: ReturnType<typeof crds>;
  /** Records the intake made after record `afterId` (0: all). */
  records(afterId?: number): Promise<IntakeRecord[]>;
  close(): Promise<void>;
}

export async function metadataBenchStack(namespace: string): Promise<MetadataBenchStack> {
  const port = await freePort();
  const intakeURL = `http://127.0.0.1:${port}`;
  const intake: RunningProcess = startProcess(
    "bench-fakeintake",
    path.join(REPO_ROOT, "node_modules/.bin/tsx"),
    [path.join(REPO_ROOT, "scripts/fakeintake.ts"), "--port", String(port)],
  );
  const stack = await benchStack();
  let controller: TestController;
  try {
    await waitForHttp(`${intakeURL}/fakeintake/records`, { proc: intake });
    // LOG_LEVEL info: a debug line per send would measure the logger, not the forwarder.
    controller = await stack.startController("bench-metadata", {
      DD_URL: intakeURL,
      DD_API_KEY: "bench-placeholder-not-a-real-key",
      LOG_LEVEL: "info",
    });
    await eventuallyLeader(controller);
    await stack.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  } catch (error) {
    await stack.close();
    await intake.stop();
    throw error;
  }
  return {
    stack,
    controller,
    namespace,
    api: crds(stack.kc),
    async records(afterId = 0) {
      const res = await fetch(`${intakeURL}/fakeintake/records?after=${afterId}`);
      return (await res.json()) as IntakeRecord[];
    },
    async close() {
      await stack.close();
      await intake.stop();
    },
  };
}

/** Polls the intake until `match` accepts an accepted (2xx) record made after `afterId`. */
export async function waitForRecord(
  bench: MetadataBenchStack,
  afterId: number,
  match: (record: IntakeRecord) => boolean,
  timeoutMs = 10_000,
): Promise<IntakeRecord> {
  const deadline = Date.now() + timeoutMs;
  let seen = afterId;
  for (;;) {
    const records = await bench.records(seen);
    const found = records.find((r) => r.status < 300 && match(r));
    if (found) return found;
    seen = records.at(-1)?.id ?? seen;
    if (Date.now() > deadline) throw new Error(`no matching intake record within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** CPU seconds the controller process has used so far (its /metrics). */
export async function controllerCpuSeconds(controller: TestController): Promise<number> {
  const text = await (await fetch(`${controller.healthURL}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("process_cpu_seconds_total "));
  if (!line) throw new Error("process_cpu_seconds_total missing from /metrics");
  return Number(line.split(" ")[1]);
}
