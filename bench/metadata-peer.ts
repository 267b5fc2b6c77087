// fleetdeck's metadata forwarding side by side with the real datadog-operator (the peer, built
// from its Go module by hack/peer/build.sh) in one run: the same local cluster, the operator's
// own CRDs installed for both phases, a fresh fake intake process per phase, the same workload;
// first fleetdeck alone, then the operator alone. Each phase:
//   1. one DatadogAgent created (not measured: it tells that the forwarder is up);
//   2. 200 sequential spec edits of it: patch sent -> intake received (p50, p99);
//   3. 20 revisions of a Helm release of the `datadog` chart stored as Secrets (as `helm upgrade`
//      does): Secret create sent -> intake received (p50 is the line's helm figure);
//   4. 1,000 DatadogAgents created at once (50 requests in flight): seconds from the first
//      create until the intake has a DatadogAgent send for each, and duplicates (a send repeating
//      content already delivered for the same object), counted for 3 s more;
//   and the process's CPU seconds (from its spawn to the end of the phase, /proc) and RSS
//   (sampled every 200 ms: peak in the line, mean in the results).
// See bench/README.md for what each process does in each phase and how the peer is run.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { ensurePeerBuilt } from "../hack/peer/peer";
import { operatorCrdFiles, operatorModuleDir } from "../testing/operator-crds";
import { createSecret, crdMetadataOf, helmMetadataOf } from "../test/metadata";
import { fetchRaw } from "../testing/api-server";
import { crds } from "../testing/custom-resources";
import type { IntakeRecord } from "../testing/fakeintake/server";
import { helmReleaseSecret } from "../testing/helm-release";
import { installManifests } from "../testing/install-manifests";
import { componentStatus } from "../testing/local-cluster";
import { REPO_ROOT } from "../testing/paths";
import { freePort, startProcess, waitForHttp } from "../testing/processes";
import { startPeerOperator } from "./peer-operator";
import { cpuSeconds, UsageSampler, type UsageWindow } from "./proc-usage";
import { benchStack, type BenchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { eventuallyLeader, sleep } from "./util";

const EDITS = 200;
const HELM_REVISIONS = 20;
const BURST = 1000;
const IN_FLIGHT = 50;
const SETTLE_MS = 3000;
const FIRST_SEND_TIMEOUT_MS = 120_000;
const BURST_TIMEOUT_MS = 300_000;
const API_KEY = "bench-placeholder-not-a-real-key";
const LATENCY_AGENT = "latency";
// Both reconcilers read the API key from a Secret; the operator refuses a DatadogAgent without
// credentials before doing anything else, which would not be the workload it was built for.
const API_SECRET = { secretName: "datadog-secret", keyName: "api-key" };
const RELEASE = "datadog";

type Side = "fleetdeck" | "peer";

interface Intake {
  url: string;
  records(afterId?: number): Promise<IntakeRecord[]>;
  close(): Promise<unknown>;
}

interface Forwarder {
  pid: number;
  /** Its Prometheus endpoint: reconcile counts say what else it did. */
  metricsURL: string;
  logFile: string;
  /** What runs in the process besides the forwarders, for the results. */
  description: string;
  stop(): Promise<unknown>;
}

interface PhaseResult {
  side: Side;
  namespace: string;
  process: string;
  firstSendMs: number;
  latency: {
    p50_ms: number;
    p99_ms: number;
    max_ms: number;
    patch_round_trip_p50_ms: number;
    /** From the patch's response to the intake's receipt: the forwarder's part (< 0: it beat the response). */
    after_response_p50_ms: number;
    after_response_p99_ms: number;
    samples_ms: number[];
    patch_round_trip_samples_ms: number[];
  };
  helm: {
    p50_ms: number;
    p99_ms: number;
    create_round_trip_p50_ms: number;
    after_response_p50_ms: number;
    after_response_p99_ms: number;
    samples_ms: number[];
    create_round_trip_samples_ms: number[];
  };
  burst: {
    seconds: number;
    creates_done_seconds: number;
    agent_sends: number;
    duplicates: number;
    /** Accepted sends of other payloads during the burst (DatadogAgentInternal, operator metadata...). */
    other_sends: Record<string, number>;
    rejected: number;
    delivery_lag_p50_ms: number;
    delivery_lag_p99_ms: number;
    /** Per object, in creation order: create answered -> first send received (ms). */
    delivery_lag_samples_ms: number[];
    /** Per object: first create sent -> first send received (ms). */
    delivered_after_start_samples_ms: number[];
  };
  usage: UsageWindow & { cpuAtReady: number; cpuAtFirstSend: number; cpuBeforeBurst: number };
  /** CPU seconds of the control plane's processes over the phase. */
  controlPlaneCpuSeconds: Record<string, number>;
  /** Mutating requests the API server served during the phase, by "VERB resource[/subresource]". */
  apiServerWrites: Record<string, number>;
  /** /proc/loadavg (1 min) when the phase started and ended: the machine is shared. */
  loadAverage: { start: number; end: number };
  /** controller-runtime's reconcile counters (both expose them under the same names). */
  reconciles: Record<string, number>;
  /** Log lines by message, most frequent first. */
  logMessages: Record<string, number>;
  intakeRecords: number;
}

export async function run(): Promise<BenchResult> {
  const build = ensurePeerBuilt();
  const moduleDir = operatorModuleDir(build);
  const stack = await benchStack();
  try {
    // Every CRD the operator installs (the cluster has fleetdeck's five of them already), for
    // both phases: the same schema, the same objects, the same API-server work on each side.
    const crdFiles = operatorCrdFiles("all", moduleDir);
    await installManifests(stack.kc, crdFiles);
    log(`installed ${crdFiles.length} CRDs of datadog-operator ${build.version}`);

    const fleetdeck = await runPhase(stack, "fleetdeck", async (intakeURL) => {
      const controller = await stack.startController("bench-peer-fleetdeck", {
        DD_URL: intakeURL,
        DD_API_KEY: API_KEY,
        LOG_LEVEL: "info",
      });
      await eventuallyLeader(controller);
      return {
        pid: controller.proc.child.pid!,
        metricsURL: `${controller.healthURL}/metrics`,
        logFile: controller.proc.logFile,
        description:
          "fleetdeck controller (esbuild bundle on node): metadata forwarders, DatadogAgent reconciler " +
          "(revisions, rendered DaemonSet and Deployment, status, SQLite read model), leader election, " +
          "heartbeat, command consumer, autoscaling gate",
        stop: () => controller.proc.stop(),
      };
    });
    await deleteNamespace(stack.kc, fleetdeck.namespace);

    const nodes = await stack.kc.makeApiClient(CoreV1Api).listNode();
    const peer = await runPhase(stack, "peer", async (intakeURL) => {
      const operator = await startPeerOperator({
        binary: build.binary,
        kubeconfig: stack.handle.kubeconfig,
        intakeURL,
        apiKey: API_KEY,
        nodeName: nodes.items[0]!.metadata!.name!,
      });
      return {
        pid: operator.pid,
        metricsURL: operator.metricsURL,
        logFile: operator.proc.logFile,
        description:
          `datadog-operator ${build.version} manager: CRD, Helm and operator metadata forwarders, ` +
          "DatadogAgent and DatadogAgentInternal reconcilers, provider detector (leader election off)",
        stop: () => operator.proc.stop(),
      };
    });

    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      summary: {
        p50_ms: fleetdeck.latency.p50_ms,
        p99_ms: fleetdeck.latency.p99_ms,
        peer_p50_ms: peer.latency.p50_ms,
        peer_p99_ms: peer.latency.p99_ms,
        burst_s: fleetdeck.burst.seconds,
        peer_burst_s: peer.burst.seconds,
        helm_ms: fleetdeck.helm.p50_ms,
        peer_helm_ms: peer.helm.p50_ms,
        rss_mb: fleetdeck.usage.rssPeakMb,
        peer_rss_mb: peer.usage.rssPeakMb,
        cpu_s: fleetdeck.usage.cpuSeconds,
        peer_cpu_s: peer.usage.cpuSeconds,
      },
      details: {
        peer: {
          module: build.module,
          version: build.version,
          toolchain: build.toolchain,
          binary: build.binary,
        },
        crds: path.relative(moduleDir, path.dirname(operatorCrdFiles("all", moduleDir)[0]!)),
        ratios_fleetdeck_over_peer: {
          p50: ratio(fleetdeck.latency.p50_ms, peer.latency.p50_ms),
          p99: ratio(fleetdeck.latency.p99_ms, peer.latency.p99_ms),
          burst: ratio(fleetdeck.burst.seconds, peer.burst.seconds),
          helm: ratio(fleetdeck.helm.p50_ms, peer.helm.p50_ms),
          rss: ratio(fleetdeck.usage.rssPeakMb, peer.usage.rssPeakMb),
          cpu: ratio(fleetdeck.usage.cpuSeconds, peer.usage.cpuSeconds),
        },
        duplicates: { fleetdeck: fleetdeck.burst.duplicates, peer: peer.burst.duplicates },
        targets: { latency_and_burst_ratio_max: 0.5, duplicates: 0 },
        settings: {
          edits: EDITS,
          helm_revisions: HELM_REVISIONS,
          burst: BURST,
          in_flight_creates: IN_FLIGHT,
          settle_ms: SETTLE_MS,
        },
        phases: { fleetdeck, peer },
      },
    };
  } finally {
    await stack.close();
  }
}

async function runPhase(
  stack: BenchStack,
  side: Side,
  launch: (intakeURL: string) => Promise<Forwarder>,
): Promise<PhaseResult> {
  const namespace = `peer-bench-${side}`;
  const core = stack.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: API_SECRET.secretName }, stringData: { [API_SECRET.keyName]: API_KEY } },
  });
  const intake = await startIntake(`bench-peer-intake-${side}`);
  const controlPlane = componentStatus(stack.handle).filter((c) => c.pid !== null);
  const cpBefore = new Map(controlPlane.map((c) => [c.name, cpuSeconds(c.pid!)]));
  const writesBefore = await apiServerWrites(stack.kc);
  const loadStart = loadAverage();
  log(`${side}: starting`);
  let forwarder: Forwarder | undefined;
  let sampler: UsageSampler | undefined;
  try {
    forwarder = await launch(intake.url);
    // The process was started for this phase: its CPU counts from its spawn, and its own
    // high-water mark covers the RSS of its start-up.
    sampler = new UsageSampler(forwarder.pid, { sinceSpawn: true });
    sampler.mark("ready");
    const api = crds(stack.kc);

    // 1. First send: the forwarder is watching and sending.
    const startedFirst = Date.now();
    await api.create("DatadogAgent", namespace, LATENCY_AGENT, {
      global: { site: "datadoghq.com", credentials: { apiSecret: API_SECRET }, tags: ["seq:start"] },
    });
    let last = (
      await waitForRecord(intake, 0, (r) => isAgentSend(r, namespace, LATENCY_AGENT), FIRST_SEND_TIMEOUT_MS)
    ).id;
    const firstSendMs = Date.now() - startedFirst;
    sampler.mark("firstSend");
    log(`${side}: first send after ${firstSendMs} ms`);

    // 2. Sequential spec edits.
    const latencies: number[] = [];
    const patchRoundTrips: number[] = [];
    const afterResponse: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const tag = `"seq:${i}"`;
      const sent = Date.now();
      await api.patch("DatadogAgent", namespace, LATENCY_AGENT, { spec: { global: { tags: [`seq:${i}`] } } });
      const responded = Date.now();
      patchRoundTrips.push(responded - sent);
      const record = await waitForRecord(
        intake,
        last,
        (r) => isAgentSend(r, namespace, LATENCY_AGENT) && crdMetadataOf(r)!.crd_spec_full.includes(tag),
      );
      latencies.push(record.receivedAt - sent);
      afterResponse.push(record.receivedAt - responded);
      last = record.id;
      await sleep(10);
    }
    log(
      `${side}: latency p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms ` +
        `(after the patch's response: p50 ${percentile(afterResponse, 50)} ms, p99 ${percentile(afterResponse, 99)} ms)`,
    );

    // 3. Helm release revisions stored as Secrets.
    const helmLatencies: number[] = [];
    const helmRoundTrips: number[] = [];
    const helmAfterResponse: number[] = [];
    for (let revision = 1; revision <= HELM_REVISIONS; revision++) {
      const marker = `m${revision}m`;
      const secret = helmReleaseSecret({
        namespace,
        release: RELEASE,
        revision,
        values: { benchMarker: marker, datadog: { logLevel: "info" } },
      });
      const sent = Date.now();
      await createSecret(stack.kc, secret);
      const responded = Date.now();
      helmRoundTrips.push(responded - sent);
      const record = await waitForRecord(intake, last, (r) => {
        const m = helmMetadataOf(r);
        return (
          m?.chart_namespace === namespace &&
          m.chart_release_name === RELEASE &&
          m.helm_provided_configuration.includes(marker)
        );
      });
      helmLatencies.push(record.receivedAt - sent);
      helmAfterResponse.push(record.receivedAt - responded);
      last = record.id;
      await sleep(10);
    }
    log(`${side}: helm p50 ${percentile(helmLatencies, 50)} ms`);

    // 4. Burst.
    sampler.mark("beforeBurst");
    const burst = await runBurst(stack.kc, intake, namespace, last);
    log(`${side}: burst ${burst.seconds} s, ${burst.duplicates} duplicates`);

    const reconciles = await reconcileCounts(forwarder.metricsURL);
    const writesAfter = await apiServerWrites(stack.kc);
    const usage = sampler.stop();
    const marks = sampler.cpuMarks;
    sampler = undefined;
    const controlPlaneCpuSeconds = Object.fromEntries(
      controlPlane.map((c) => [c.name, round2(cpuSeconds(c.pid!) - cpBefore.get(c.name)!)]),
    );
    return {
      side,
      namespace,
      process: forwarder.description,
      firstSendMs,
      latency: {
        p50_ms: percentile(latencies, 50),
        p99_ms: percentile(latencies, 99),
        max_ms: Math.max(...latencies),
        patch_round_trip_p50_ms: percentile(patchRoundTrips, 50),
        after_response_p50_ms: percentile(afterResponse, 50),
        after_response_p99_ms: percentile(afterResponse, 99),
        samples_ms: latencies,
        patch_round_trip_samples_ms: patchRoundTrips,
      },
      helm: {
        p50_ms: percentile(helmLatencies, 50),
        p99_ms: percentile(helmLatencies, 99),
        create_round_trip_p50_ms: percentile(helmRoundTrips, 50),
        after_response_p50_ms: percentile(helmAfterResponse, 50),
        after_response_p99_ms: percentile(helmAfterResponse, 99),
        samples_ms: helmLatencies,
        create_round_trip_samples_ms: helmRoundTrips,
      },
      burst,
      usage: {
        ...usage,
        cpuAtReady: marks.ready ?? Number.NaN,
        cpuAtFirstSend: marks.firstSend ?? Number.NaN,
        cpuBeforeBurst: marks.beforeBurst ?? Number.NaN,
      },
      controlPlaneCpuSeconds,
      apiServerWrites: Object.fromEntries(
        [...writesAfter]
          .map(([k, n]) => [k, n - (writesBefore.get(k) ?? 0)] as const)
          .filter(([, n]) => n > 0)
          .sort((a, b) => b[1] - a[1]),
      ),
      loadAverage: { start: loadStart, end: loadAverage() },
      reconciles,
      logMessages: logMessages(forwarder.logFile),
      intakeRecords: (await intake.records()).length,
    };
  } finally {
    sampler?.stop();
    await forwarder?.stop();
    await intake.close();
    log(`${side}: stopped`);
  }
}

async function runBurst(
  kc: KubeConfig,
  intake: Intake,
  namespace: string,
  afterId: number,
): Promise<PhaseResult["burst"]> {
  const api = crds(kc);
  const names = Array.from({ length: BURST }, (_, i) => `burst-${String(i).padStart(4, "0")}`);
  const createdAt = new Map<string, number>();
  const deliveredAt = new Map<string, number>();
  const contents = new Set<string>();
  const otherSends: Record<string, number> = {};
  let agentSends = 0;
  let duplicates = 0;
  let rejected = 0;
  let lastId = afterId;
  const collect = (records: IntakeRecord[]) => {
    for (const record of records) {
      lastId = record.id;
      if (record.status >= 300) {
        rejected++;
        continue;
      }
      const m = crdMetadataOf(record);
      if (!m || m.crd_kind !== "DatadogAgent" || m.crd_namespace !== namespace) {
        const what = m
          ? m.crd_kind
          : (Object.keys((record.body as object | null) ?? {}).find((k) => k.startsWith("datadog_")) ??
            "other");
        otherSends[what] = (otherSends[what] ?? 0) + 1;
        continue;
      }
      agentSends++;
      const content = createHash("sha256")
        .update([m.crd_uid, m.crd_spec_full, m.crd_labels, m.crd_annotations].join("\n"))
        .digest("hex");
      if (contents.has(content)) duplicates++;
      contents.add(content);
      if (!deliveredAt.has(m.crd_name)) deliveredAt.set(m.crd_name, record.receivedAt);
    }
  };

  const started = Date.now();
  let next = 0;
  const creator = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      await api.create("DatadogAgent", namespace, name, {
        global: { site: "datadoghq.com", credentials: { apiSecret: API_SECRET }, clusterName: name },
      });
      createdAt.set(name, Date.now());
    }
  };
  const creating = Promise.all(Array.from({ length: IN_FLIGHT }, creator)).then(() => Date.now());
  let createError: unknown;
  creating.catch((error: unknown) => (createError = error));
  const burstNames = new Set(names);
  const delivered = () => [...deliveredAt.keys()].filter((n) => burstNames.has(n)).length;
  while (delivered() < BURST) {
    if (createError) throw createError;
    if (Date.now() - started > BURST_TIMEOUT_MS)
      throw new Error(`only ${delivered()}/${BURST} delivered after ${BURST_TIMEOUT_MS / 1000} s`);
    collect(await intake.records(lastId));
    await sleep(50);
  }
  const lastDelivery = Math.max(...names.map((n) => deliveredAt.get(n)!));
  const createsDone = await creating;
  // Late duplicates would arrive after the last first send: keep counting a little longer.
  await sleep(SETTLE_MS);
  collect(await intake.records(lastId));
  const lags = names.map((n) => deliveredAt.get(n)! - createdAt.get(n)!);
  return {
    seconds: (lastDelivery - started) / 1000,
    creates_done_seconds: (createsDone - started) / 1000,
    agent_sends: agentSends,
    duplicates,
    other_sends: otherSends,
    rejected,
    delivery_lag_p50_ms: percentile(lags, 50),
    delivery_lag_p99_ms: percentile(lags, 99),
    delivery_lag_samples_ms: lags,
    delivered_after_start_samples_ms: names.map((n) => deliveredAt.get(n)! - started),
  };
}

/** The API server's `apiserver_request_total` of mutating verbs, by verb and resource. */
async function apiServerWrites(kc: KubeConfig): Promise<Map<string, number>> {
  const { body } = await fetchRaw(kc, "/metrics");
  const counts = new Map<string, number>();
  for (const line of body.split("\n")) {
    const m = /^apiserver_request_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (!["POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION"].includes(labels.verb ?? "")) continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[2]));
  }
  return counts;
}

function loadAverage(): number {
  return Number(fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/** `controller_runtime_reconcile_total{controller,result}` summed by controller and result. */
async function reconcileCounts(metricsURL: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsURL)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^controller_runtime_reconcile_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const key = `${labels.controller}/${labels.result}`;
    counts[key] = (counts[key] ?? 0) + Number(m[2]);
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

function logMessages(file: string, top = 25): Record<string, number> {
  const counts = new Map<string, number>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
    if (msg !== undefined) counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, top));
}

function isAgentSend(record: IntakeRecord, namespace: string, name: string): boolean {
  const m = crdMetadataOf(record);
  return m?.crd_kind === "DatadogAgent" && m.crd_namespace === namespace && m.crd_name === name;
}

/** Polls the intake until `match` accepts an accepted (2xx) record made after `afterId`. */
async function waitForRecord(
  intake: Intake,
  afterId: number,
  match: (record: IntakeRecord) => boolean,
  timeoutMs = 10_000,
): Promise<IntakeRecord> {
  const deadline = Date.now() + timeoutMs;
  let seen = afterId;
  for (;;) {
    const records = await intake.records(seen);
    const found = records.find((r) => r.status < 300 && match(r));
    if (found) return found;
    seen = records.at(-1)?.id ?? seen;
    if (Date.now() > deadline) throw new Error(`no matching intake record within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** The fake intake in its own process, as the real intake is another service. */
async function startIntake(name: string): Promise<Intake> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(name, path.join(REPO_ROOT, "node_modules/.bin/tsx"), [
    path.join(REPO_ROOT, "scripts/fakeintake.ts"),
    "--port",
    String(port),
  ]);
  try {
    await waitForHttp(`${url}/fakeintake/records`, { proc });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return {
    url,
    async records(afterId = 0) {
      const res = await fetch(`${url}/fakeintake/records?after=${afterId}`);
      return (await res.json()) as IntakeRecord[];
    },
    close: () => proc.stop(),
  };
}

/** Deletes a phase's namespace and waits until it is gone, so the next phase starts clean. */
async function deleteNamespace(kc: KubeConfig, name: string, timeoutMs = 600_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const started = Date.now();
  await core.deleteNamespace({ name });
  for (;;) {
    try {
      await core.readNamespace({ name });
    } catch (error) {
      if ((error as { code?: number }).code === 404) break;
      throw error;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`namespace ${name} still there after ${timeoutMs} ms`);
    await sleep(500);
  }
  log(`namespace ${name} deleted in ${Math.round((Date.now() - started) / 1000)} s`);
}

function log(line: string): void {
  console.log(`[metadata-peer] ${line}`);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
