// 1,000 DatadogAgents created at once (50 requests in flight): seconds from the first create
// until the fake intake has received every one, how many payloads arrived, and how many of
// them repeated content already delivered for the same object (duplicates).
import { createHash } from "node:crypto";
import { crdMetadataOf } from "../test/metadata";
import { metadataBenchStack } from "./metadata-stack";
import { percentile } from "./stats";
import { sleep } from "./util";
import type { BenchResult } from "./types";

const COUNT = 1000;
const IN_FLIGHT = 50;
const SETTLE_MS = 3000;

export async function run(): Promise<BenchResult> {
  const bench = await metadataBenchStack("bench-metadata-burst");
  try {
    const { api, intake, namespace } = bench;
    const names = Array.from({ length: COUNT }, (_, i) => `burst-${String(i).padStart(4, "0")}`);
    const wanted = new Set(names);
    const delivered = new Set<string>();
    const createdAt = new Map<string, number>();
    const lags: number[] = [];
    const contents = new Set<string>();
    let sends = 0;
    let duplicates = 0;
    let allDelivered: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allDelivered = resolve));
    intake.onRecord((record) => {
      const m = crdMetadataOf(record);
      if (record.status >= 300 || !m || m.crd_namespace !== namespace || !wanted.has(m.crd_name)) return;
      sends++;
      const content = createHash("sha256")
        .update([m.crd_uid, m.crd_spec_full, m.crd_labels, m.crd_annotations].join("\n"))
        .digest("hex");
      if (contents.has(content)) duplicates++;
      contents.add(content);
      if (!delivered.has(m.crd_name) && createdAt.has(m.crd_name))
        lags.push(record.receivedAt - createdAt.get(m.crd_name)!);
      delivered.add(m.crd_name);
      if (delivered.size === COUNT) allDelivered();
    });

    const started = Date.now();
    let next = 0;
    const creator = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        await api.create("DatadogAgent", namespace, name, {
          global: { site: "datadoghq.com", clusterName: name },
        });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, creator));
    const createdSeconds = (Date.now() - started) / 1000;
    const timeout = sleep(120_000).then(() => {
      throw new Error(`only ${delivered.size}/${COUNT} delivered after 120 s`);
    });
    await Promise.race([done, timeout]);
    const seconds = (Date.now() - started) / 1000;
    // Late duplicates would arrive after the last first-send: keep counting a little longer.
    await sleep(SETTLE_MS);
    return {
      summary: { seconds, sends, duplicates },
      details: {
        objects: COUNT,
        in_flight_creates: IN_FLIGHT,
        creates_done_seconds: createdSeconds,
        // From a create's response to the intake receiving that object (few are negative:
        // the watch event can beat the create's response to the client).
        delivery_lag_p50_ms: percentile(lags, 50),
        delivery_lag_p99_ms: percentile(lags, 99),
        settle_ms: SETTLE_MS,
        target: { seconds: 20, duplicates: 0 },
      },
    };
  } finally {
    await bench.close();
  }
}
