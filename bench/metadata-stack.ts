// The stack of the metadata benchmarks: a dedicated cluster, the fake intake (in this process,
// so its receive times share the benchmark's clock) and a real controller forwarding to it.
import { CoreV1Api } from "@kubernetes/client-node";
import { startFakeIntake, type FakeIntake } from "../test/fakeintake/server";
import { crds, type CrdMetadata } from "../test/metadata";
import { benchStack, type BenchStack } from "./stack";
import { eventuallyLeader } from "./util";

export interface MetadataBenchStack {
  stack: BenchStack;
  intake: FakeIntake;
  namespace: string;
  api: ReturnType<typeof crds>;
  close(): Promise<void>;
}

export async function metadataBenchStack(namespace: string): Promise<MetadataBenchStack> {
  const intake = await startFakeIntake({ maxRecords: 1_000_000 });
  const stack = await benchStack();
  try {
    // LOG_LEVEL info: a debug line per send would measure the logger, not the forwarder.
    const controller = await stack.startController("bench-metadata", {
      DD_URL: intake.url,
      DD_API_KEY: "bench-placeholder-not-a-real-key",
      LOG_LEVEL: "info",
    });
    await eventuallyLeader(controller);
    await stack.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  } catch (error) {
    await stack.close();
    await intake.close();
    throw error;
  }
  return {
    stack,
    intake,
    namespace,
    api: crds(stack.kc),
    async close() {
      await stack.close();
      await intake.close();
    },
  };
}

/** Resolves with the first CRD payload `match` accepts that the intake accepted (2xx). */
export function nextCrdPayload(
  intake: FakeIntake,
  match: (m: CrdMetadata) => boolean,
  timeoutMs = 30_000,
): Promise<{ receivedAt: number; metadata: CrdMetadata }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching payload within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = intake.onRecord((record) => {
      const metadata = (record.body as { datadog_operator_crd_metadata?: CrdMetadata } | null)
        ?.datadog_operator_crd_metadata;
      if (record.status < 300 && metadata && match(metadata)) {
        clearTimeout(timer);
        off();
        resolve({ receivedAt: record.receivedAt, metadata });
      }
    });
  });
}
