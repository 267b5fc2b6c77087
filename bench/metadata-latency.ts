// 200 sequential spec edits of one DatadogAgent: time from sending the patch to the API server
// until the fake intake has received the payload with that edit. Measured from the moment the
// patch request is sent (an upper bound of "from the API server accepting it"); the patch's own
// round trip is reported alongside.
import { percentile } from "./stats";
import { metadataBenchStack, nextCrdPayload } from "./metadata-stack";
import { sleep } from "./util";
import type { BenchResult } from "./types";

const EDITS = 200;
const NAME = "latency";

export async function run(): Promise<BenchResult> {
  const bench = await metadataBenchStack("bench-metadata-latency");
  try {
    const { api, intake, namespace } = bench;
    const created = nextCrdPayload(intake, (m) => m.crd_name === NAME);
    await api.create("DatadogAgent", namespace, NAME, {
      global: { site: "datadoghq.com", tags: ["seq:start"] },
    });
    await created;
    const latencies: number[] = [];
    const patchRoundTrips: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const tag = `seq:${i}`;
      const arrived = nextCrdPayload(
        intake,
        (m) => m.crd_name === NAME && m.crd_spec_full.includes(`"${tag}"`),
        10_000,
      );
      const sent = Date.now();
      await api.patch("DatadogAgent", namespace, NAME, { spec: { global: { tags: [tag] } } });
      patchRoundTrips.push(Date.now() - sent);
      const { receivedAt } = await arrived;
      latencies.push(receivedAt - sent);
      // Edits arrive spaced out, as people make them.
      await sleep(10);
    }
    const sends = intake.delivered().length;
    return {
      summary: { p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) },
      details: {
        edits: EDITS,
        max_ms: Math.max(...latencies),
        patch_round_trip_p50_ms: percentile(patchRoundTrips, 50),
        intake_sends: sends,
        samples_ms: latencies,
        target: { p50_ms: 50, p99_ms: 250 },
      },
    };
  } finally {
    await bench.close();
  }
}
