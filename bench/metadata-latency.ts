// 200 sequential spec edits of one DatadogAgent: time from sending the patch to the API server
// until the fake intake has received the payload with that edit (the intake's own receive
// time). Measured from the moment the patch request is sent, an upper bound of "from the API
// server accepting it"; the patch's own round trip is reported alongside.
import { crdMetadataOf } from "../test/metadata";
import { percentile } from "./stats";
import { metadataBenchStack, waitForRecord } from "./metadata-stack";
import { sleep } from "./util";
import type { BenchResult } from "./types";

const EDITS = 200;
const NAME = "latency";

export async function run(): Promise<BenchResult> {
  const bench = await metadataBenchStack("bench-metadata-latency");
  try {
    const { api, namespace } = bench;
    await api.create("DatadogAgent", namespace, NAME, {
      global: { site: "datadoghq.com", tags: ["seq:start"] },
    });
    let last = (await waitForRecord(bench, 0, (r) => crdMetadataOf(r)?.crd_name === NAME)).id;
    const latencies: number[] = [];
    const patchRoundTrips: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const tag = `"seq:${i}"`;
      const sent = Date.now();
      await api.patch("DatadogAgent", namespace, NAME, { spec: { global: { tags: [`seq:${i}`] } } });
      patchRoundTrips.push(Date.now() - sent);
      const record = await waitForRecord(bench, last, (r) => {
        const m = crdMetadataOf(r);
        return m?.crd_name === NAME && m.crd_spec_full.includes(tag);
      });
      latencies.push(record.receivedAt - sent);
      last = record.id;
      // Edits arrive spaced out, as people make them.
      await sleep(10);
    }
    return {
      summary: { p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) },
      details: {
        edits: EDITS,
        max_ms: Math.max(...latencies),
        patch_round_trip_p50_ms: percentile(patchRoundTrips, 50),
        intake_records: (await bench.records()).length,
        samples_ms: latencies,
        target: { p50_ms: 50, p99_ms: 250 },
      },
    };
  } finally {
    await bench.close();
  }
}
