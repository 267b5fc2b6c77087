// 1,000 DatadogAgents created at once (50 requests in flight): seconds from the first create
// until the fake intake has received every one, how many payloads arrived, and how many of
// them repeated content already delivered for the same object (duplicates).
import { createHash } from "node:crypto";
import { crdMetadataOf } from "../test/metadata";
import type { IntakeRecord } from "../testing/fakeintake/server";
import { controllerCpuSeconds, metadataBenchStack } from "./metadata-stack";
import { percentile } from "./stats";
import { sleep } from "./util";
import type { BenchResult } from "./types";

const COUNT = 1000;
const IN_FLIGHT = 50;
const SETTLE_MS = 3000;
const TIMEOUT_MS = 120_000;

export async function run(): Promise<BenchResult> {
  const bench = await metadataBenchStack("bench-metadata-burst");
  try {
    const { api, namespace } = bench;
    const names = Array.from({ length: COUNT }, (_, i) => `burst-${String(i).padStart(4, "0")}`);
    const createdAt = new Map<string, number>();
    const deliveredAt = new Map<string, number>();
    const contents = new Set<string>();
    let sends = 0;
    let duplicates = 0;
    let lastId = 0;
    const collect = (records: IntakeRecord[]) => {
      for (const record of records) {
        lastId = record.id;
        const m = crdMetadataOf(record);
        if (record.status >= 300 || !m || m.crd_namespace !== namespace) continue;
        sends++;
        const content = createHash("sha256")
          .update([m.crd_uid, m.crd_spec_full, m.crd_labels, m.crd_annotations].join("\n"))
          .digest("hex");
        if (contents.has(content)) duplicates++;
        contents.add(content);
        if (!deliveredAt.has(m.crd_name)) deliveredAt.set(m.crd_name, record.receivedAt);
      }
    };

    const cpuBefore = await controllerCpuSeconds(bench.controller);
    const started = Date.now();
    let next = 0;
    const creator = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        await api.create("DatadogAgent", namespace, name, {
          global: { site: "datadoghq.com", clusterName: name },
        });
        createdAt.set(name, Date.now());
      }
    };
    const creating = Promise.all(Array.from({ length: IN_FLIGHT }, creator)).then(() => Date.now());
    let createError: unknown;
    creating.catch((error: unknown) => (createError = error));
    while (deliveredAt.size < COUNT) {
      if (createError) throw createError;
      if (Date.now() - started > TIMEOUT_MS)
        throw new Error(`only ${deliveredAt.size}/${COUNT} delivered after 120 s`);
      collect(await bench.records(lastId));
      await sleep(50);
    }
    const lastDelivery = Math.max(...deliveredAt.values());
    const createsDone = await creating;
    // Late duplicates would arrive after the last first-send: keep counting a little longer.
    await sleep(SETTLE_MS);
    collect(await bench.records(lastId));
    const cpuSeconds = (await controllerCpuSeconds(bench.controller)) - cpuBefore;
    const lags = names.map((n) => deliveredAt.get(n)! - createdAt.get(n)!);
    return {
      summary: { seconds: (lastDelivery - started) / 1000, sends, duplicates },
      details: {
        objects: COUNT,
        in_flight_creates: IN_FLIGHT,
        creates_done_seconds: (createsDone - started) / 1000,
        // From a create's response reaching this process to the intake receiving the object
        // (negative: the watch event beat the create's response back to the client).
        delivery_lag_p50_ms: percentile(lags, 50),
        delivery_lag_p99_ms: percentile(lags, 99),
        controller_cpu_seconds: cpuSeconds,
        settle_ms: SETTLE_MS,
        target: { seconds: 20, duplicates: 0 },
      },
    };
  } finally {
    await bench.close();
  }
}
