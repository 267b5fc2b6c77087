// fleetdeck's metadata forwarding and reconciling side by side with the real datadog-operator
// (the peer, built from its Go module by hack/peer/build.sh, run with
// -createControllerRevisions=true) and with a floor (a bare informer forwarding each change, in a
// process of its own: bench/floor-watcher.ts), on one local cluster with the operator's own CRDs,
// one after the other, in A-B-F-B-A order (fleetdeck, operator, floor, operator, fleetdeck) so
// that the load drifting on a shared machine weighs on both sides alike. Each phase, with a fresh
// fake intake process and namespace:
//   0. idle: RSS and CPU of the process over IDLE_MS after it is ready, before any work;
//   1. one DatadogAgent created (its first send tells that the forwarder is up);
//   2. 200 sequential spec edits of it: patch sent -> intake received, and the side's own share
//      (the API server's answer to the patch -> intake received);
//   3. 20 revisions of a Helm release stored as Secrets (not in the floor phase);
//   4. 1,000 DatadogAgents created at once (50 requests in flight): seconds until the intake has
//      a send for each, duplicates, and how many agents the side had fully reconciled
//      (bench/reconciled.ts) when the last send arrived, then the seconds until all were;
//   and the process's CPU seconds and RSS (peak, idle) over the phase, from /proc.
// The benchmark's own writes go through one kept-alive client (fleetdeck's KubeClient).
// METADATA_PEER_PHASES changes the order (e.g. "base,fleetdeck,fleetdeck,base": the side
// "base" runs the controller bundle METADATA_PEER_BASE_BUNDLE, another commit's build, to
// measure a change before and after in one sitting); METADATA_PEER_CPU_PROF=DIR writes a V8 CPU
// profile of each fleetdeck phase there. See bench/README.md.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../controller/kube/client";
import type { KubeObject } from "../controller/kube/informer";
import { ensurePeerBuilt, peerBuild } from "../hack/peer/peer";
import { operatorCrdFiles, operatorModuleDir } from "../testing/operator-crds";
import { crdMetadataOf, helmMetadataOf } from "../test/metadata";
import { fetchRaw } from "../testing/api-server";
import { launchController } from "../testing/controllers";
import type { IntakeRecord } from "../testing/fakeintake/server";
import { helmReleaseSecret } from "../testing/helm-release";
import { installManifests } from "../testing/install-manifests";
import { componentStatus } from "../testing/local-cluster";
import { REPO_ROOT } from "../testing/paths";
import { freePort, startProcess, waitForHttp } from "../testing/processes";
import { startPeerOperator } from "./peer-operator";
import { cpuSeconds, rssMb, UsageSampler, type UsageWindow } from "./proc-usage";
import { countReconciled, namespaceObjects, type ReconcileCount, type ReconcileSide } from "./reconciled";
import { benchStack, type BenchStack } from "./stack";
import { percentile } from "./stats";
import type { BenchResult } from "./types";
import { eventuallyLeader, sleep } from "./util";

const EDITS = 200;
const HELM_REVISIONS = 20;
const BURST = 1000;
const IN_FLIGHT = 50;
const SETTLE_MS = 3000;
const IDLE_MS = 10_000;
const FIRST_SEND_TIMEOUT_MS = 120_000;
const BURST_TIMEOUT_MS = 300_000;
/** After the burst: poll until every agent is reconciled, or no progress for this long, or the cap. */
const RECONCILE_POLL_MS = 3_000;
const RECONCILE_STALL_MS = 30_000;
const RECONCILE_CAP_MS = 240_000;
const API_KEY = "bench-placeholder-not-a-real-key";
const LATENCY_AGENT = "latency";
// Both reconcilers read the API key from a Secret; the operator refuses a DatadogAgent without
// credentials before doing anything else, which would not be the workload it was built for.
const API_SECRET = { secretName: "datadog-secret", keyName: "api-key" };
const RELEASE = "datadog";
const DDA_PATH = "/apis/datadoghq.com/v2alpha1";

/** "base" is fleetdeck built from another commit (METADATA_PEER_BASE_BUNDLE). */
type Side = "fleetdeck" | "base" | "peer" | "floor";
const SIDES: readonly Side[] = ["fleetdeck", "base", "peer", "floor"];
const DEFAULT_PHASES: Side[] = ["fleetdeck", "peer", "floor", "peer", "fleetdeck"];

interface Intake {
  url: string;
  records(afterId?: number): Promise<IntakeRecord[]>;
  close(): Promise<unknown>;
}

interface Forwarder {
  pid: number;
  /** Its Prometheus endpoint (reconcile counts say what else it did); none for the floor. */
  metricsURL?: string;
  logFile: string;
  /** What runs in the process, for the results. */
  description: string;
  stop(): Promise<unknown>;
}

interface PhaseResult {
  side: Side;
  namespace: string;
  process: string;
  firstSendMs: number;
  idle: { rssMb: number; cpuSeconds: number; seconds: number };
  latency: {
    p50_ms: number;
    p99_ms: number;
    max_ms: number;
    patch_round_trip_p50_ms: number;
    /** The side's own share: the patch's answer -> the intake's receipt (< 0: it beat the answer). */
    own_p50_ms: number;
    own_p99_ms: number;
    samples_ms: number[];
    own_samples_ms: number[];
    patch_round_trip_samples_ms: number[];
  };
  helm?: {
    p50_ms: number;
    p99_ms: number;
    create_round_trip_p50_ms: number;
    own_p50_ms: number;
    own_p99_ms: number;
    samples_ms: number[];
    create_round_trip_samples_ms: number[];
  };
  burst: BurstResult;
  usage: UsageWindow & {
    cpuAtReady: number;
    cpuAtFirstSend: number;
    cpuBeforeBurst: number;
    cpuAtBurstEnd: number;
  };
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
  /** The process's own memory gauges (MB) where it exposes them (Node's heap, Go's heap). */
  memory: { atBurstEnd: Record<string, number>; atEnd: Record<string, number> };
  intakeRecords: number;
  namespaceDeleteSeconds?: number;
}

interface BurstResult {
  /** When the first create was sent (ms since the epoch). */
  started_at_ms: number;
  seconds: number;
  creates_done_seconds: number;
  agent_sends: number;
  duplicates: number;
  /** Accepted sends of other payloads during the burst (DatadogAgentInternal, operator metadata...). */
  other_sends: Record<string, number>;
  rejected: number;
  /** Own share per object: create answered -> first send received (ms). */
  delivery_lag_p50_ms: number;
  delivery_lag_p99_ms: number;
  delivery_lag_samples_ms: number[];
  /** Per object: first create sent -> first send received (ms). */
  delivered_after_start_samples_ms: number[];
  /** Agents fully reconciled when the last first send arrived (none for the floor). */
  reconciled_at_last_send?: ReconcileCount;
  /** Seconds from the first create until every agent was fully reconciled; null if never seen. */
  all_reconciled_s?: number | null;
  /** The last count seen while waiting, and [seconds since the first create, reconciled] polls. */
  reconciled_final?: ReconcileCount;
  reconciled_series?: [number, number][];
}

export async function run(): Promise<BenchResult> {
  const phases = phaseOrder();
  const needsPeer = phases.includes("peer");
  // Only a run with the operator needs it built; the CRDs come from its module either way.
  const build = needsPeer ? ensurePeerBuilt() : peerBuild();
  const moduleDir = operatorModuleDir(build);
  const baseBundle = process.env.METADATA_PEER_BASE_BUNDLE;
  if (phases.includes("base") && !(baseBundle && fs.existsSync(baseBundle)))
    throw new Error("phase 'base' needs METADATA_PEER_BASE_BUNDLE=<another build's dist/controller.mjs>");
  const profileDir = process.env.METADATA_PEER_CPU_PROF;
  const stack = await benchStack();
  const client = new KubeClient(stack.kc, "fleetdeck-bench");
  try {
    // Every CRD the operator installs, for every phase: the same schema, objects and API-server work.
    const crdFiles = operatorCrdFiles("all", moduleDir);
    await installManifests(stack.kc, crdFiles);
    log(
      `installed ${crdFiles.length} CRDs of datadog-operator ${build.version}; phases ${phases.join(", ")}`,
    );
    const nodes = await stack.kc.makeApiClient(CoreV1Api).listNode();
    const nodeName = nodes.items[0]!.metadata!.name!;

    const launchers: Record<Side, (intakeURL: string, phase: number) => Promise<Forwarder>> = {
      fleetdeck: (url, phase) => launchFleetdeck(stack, url, phase, "fleetdeck", undefined, profileDir),
      base: (url, phase) => launchFleetdeck(stack, url, phase, "base", baseBundle, profileDir),
      peer: async (intakeURL) => {
        const operator = await startPeerOperator({
          binary: build.binary,
          kubeconfig: stack.handle.kubeconfig,
          intakeURL,
          apiKey: API_KEY,
          nodeName,
          // A ControllerRevision per spec, as fleetdeck keeps: the same work on both sides.
          extraArgs: ["-createControllerRevisions=true"],
        });
        return {
          pid: operator.pid,
          metricsURL: operator.metricsURL,
          logFile: operator.proc.logFile,
          description:
            `datadog-operator ${build.version} manager (-createControllerRevisions=true): CRD, Helm and ` +
            "operator metadata forwarders, DatadogAgent and DatadogAgentInternal reconcilers, provider " +
            "detector (leader election off)",
          stop: () => operator.proc.stop(),
        };
      },
      floor: (intakeURL) => launchFloor(stack, intakeURL),
    };

    const results: PhaseResult[] = [];
    for (const [index, side] of phases.entries()) {
      const result = await runPhase(stack, client, side, index, (url) => launchers[side](url, index));
      if (index < phases.length - 1)
        result.namespaceDeleteSeconds = await deleteNamespace(stack.kc, client, result.namespace);
      results.push(result);
      log(`${side}: ${describe(result)}`);
    }

    const bySide = Object.fromEntries(
      SIDES.map((side) => [side, summarize(results.filter((r) => r.side === side))]),
    ) as Record<Side, SideSummary | undefined>;
    for (const side of SIDES) if (bySide[side]) log(`summary ${side}: ${JSON.stringify(bySide[side])}`);
    const f = bySide.fleetdeck;
    const p = bySide.peer;
    const nan = Number.NaN;
    return {
      summary: {
        own_p50_ms: f?.own_p50_ms ?? nan,
        own_p99_ms: f?.own_p99_ms ?? nan,
        peer_own_p50_ms: p?.own_p50_ms ?? nan,
        peer_own_p99_ms: p?.own_p99_ms ?? nan,
        burst_s: f?.burst_s ?? nan,
        peer_burst_s: p?.burst_s ?? nan,
        floor_burst_s: bySide.floor?.burst_s ?? nan,
        reconciled: f?.reconciled ?? nan,
        peer_reconciled: p?.reconciled ?? nan,
        cpu_s: f?.cpu_s ?? nan,
        peer_cpu_s: p?.cpu_s ?? nan,
        rss_mb: f?.rss_mb ?? nan,
        peer_rss_mb: p?.rss_mb ?? nan,
        idle_rss_mb: f?.idle_rss_mb ?? nan,
        peer_idle_rss_mb: p?.idle_rss_mb ?? nan,
        duplicates: f?.duplicates ?? nan,
      },
      details: {
        peer: needsPeer
          ? { module: build.module, version: build.version, toolchain: build.toolchain, binary: build.binary }
          : undefined,
        base_bundle: baseBundle,
        crds: path.relative(moduleDir, path.dirname(crdFiles[0]!)),
        order: phases,
        aggregation:
          "per side over its phases: latency percentiles of the pooled samples; burst, reconciled, CPU and " +
          "idle RSS the mean; peak RSS the highest; duplicates the sum",
        sides: bySide,
        targets: {
          own_p99_vs_peer_max: 0.5,
          burst_vs_peer_max: 1.0,
          cpu_vs_peer_max: 1.5,
          rss_vs_peer_max: 1.5,
          idle_rss_vs_peer_max: 1.25,
          duplicates: 0,
        },
        settings: {
          edits: EDITS,
          helm_revisions: HELM_REVISIONS,
          burst: BURST,
          in_flight_creates: IN_FLIGHT,
          settle_ms: SETTLE_MS,
          idle_ms: IDLE_MS,
          reconcile_stall_ms: RECONCILE_STALL_MS,
          reconcile_cap_ms: RECONCILE_CAP_MS,
        },
        phases: results,
      },
    };
  } finally {
    await stack.close();
  }
}

function phaseOrder(): Side[] {
  const raw = process.env.METADATA_PEER_PHASES;
  if (!raw) return DEFAULT_PHASES;
  const phases = raw.split(",").map((s) => s.trim());
  const bad = phases.filter((s) => !SIDES.includes(s as Side));
  if (bad.length > 0 || phases.length === 0)
    throw new Error(`METADATA_PEER_PHASES: unknown side(s) ${bad.join(", ")} (sides: ${SIDES.join(", ")})`);
  return phases as Side[];
}

async function launchFleetdeck(
  stack: BenchStack,
  intakeURL: string,
  phase: number,
  side: "fleetdeck" | "base",
  bundle: string | undefined,
  profileDir: string | undefined,
): Promise<Forwarder> {
  // A fresh store per phase: the second phase must not start from the first one's rows.
  const databaseUrl = await stack.useStore("sqlite");
  const id = `bench-peer-${side}-${phase}`;
  const controller = await launchController({
    id,
    kubeconfig: stack.handle.kubeconfig,
    databaseUrl,
    namespace: "fleetdeck-system",
    env: { DD_URL: intakeURL, DD_API_KEY: API_KEY, LOG_LEVEL: "info" },
    bundle,
    nodeOptions: profileDir
      ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${id}.cpuprofile`]
      : [],
  });
  await eventuallyLeader(controller);
  return {
    pid: controller.proc.child.pid!,
    metricsURL: `${controller.healthURL}/metrics`,
    logFile: controller.proc.logFile,
    description:
      `fleetdeck controller${bundle ? ` (${bundle})` : ""} (esbuild bundle on node): metadata forwarders, ` +
      "DatadogAgent reconciler (revisions, rendered DaemonSet and Deployment, status, store read model), " +
      "rollout read model, leader election, heartbeat, command consumer, autoscaling gate",
    stop: () => controller.proc.stop(),
  };
}

async function launchFloor(stack: BenchStack, intakeURL: string): Promise<Forwarder> {
  const port = await freePort();
  const proc = startProcess(
    "bench-peer-floor",
    path.join(REPO_ROOT, "node_modules/.bin/tsx"),
    [
      path.join(REPO_ROOT, "bench/floor-watcher.ts"),
      "--kubeconfig",
      stack.handle.kubeconfig,
      "--intake",
      intakeURL,
    ],
    { FLOOR_HEALTH_PORT: String(port), DD_API_KEY: API_KEY },
  );
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, { proc });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return {
    pid: proc.child.pid!,
    logFile: proc.logFile,
    description:
      "floor: one bare informer on DatadogAgents posting each change (tsx, bench/floor-watcher.ts)",
    stop: () => proc.stop(),
  };
}

async function runPhase(
  stack: BenchStack,
  client: KubeClient,
  side: Side,
  index: number,
  launch: (intakeURL: string) => Promise<Forwarder>,
): Promise<PhaseResult> {
  const namespace = `peer-bench-${index}-${side}`;
  await client.create("/api/v1/namespaces", { metadata: { name: namespace } });
  await client.create(`/api/v1/namespaces/${namespace}/secrets`, {
    metadata: { name: API_SECRET.secretName },
    stringData: { [API_SECRET.keyName]: API_KEY },
  });
  const agentsPath = `${DDA_PATH}/namespaces/${namespace}/datadogagents`;
  const intake = await startIntake(`bench-peer-intake-${index}-${side}`);
  const controlPlane = componentStatus(stack.handle).filter((c) => c.pid !== null);
  const cpBefore = new Map(controlPlane.map((c) => [c.name, cpuSeconds(c.pid!)]));
  const writesBefore = await apiServerWrites(stack.kc);
  const loadStart = loadAverage();
  log(`${side} (phase ${index}): starting; load ${loadStart}`);
  let forwarder: Forwarder | undefined;
  let sampler: UsageSampler | undefined;
  try {
    forwarder = await launch(intake.url);
    // Started for this phase: CPU from its spawn, and its own high-water mark covers start-up.
    sampler = new UsageSampler(forwarder.pid, { sinceSpawn: true });
    sampler.mark("ready");

    // 0. Idle: after start, before any work.
    const idleCpuStart = cpuSeconds(forwarder.pid);
    await sleep(IDLE_MS);
    const idle = {
      rssMb: round2(rssMb(forwarder.pid)),
      cpuSeconds: round2(cpuSeconds(forwarder.pid) - idleCpuStart),
      seconds: IDLE_MS / 1000,
    };

    // 1. First send: the forwarder is watching and sending.
    const startedFirst = Date.now();
    await client.create(agentsPath, agentBody(LATENCY_AGENT, { tags: ["seq:start"] }));
    let last = (
      await waitForRecord(intake, 0, (r) => isAgentSend(r, namespace, LATENCY_AGENT), FIRST_SEND_TIMEOUT_MS)
    ).id;
    const firstSendMs = Date.now() - startedFirst;
    sampler.mark("firstSend");

    // 2. Sequential spec edits.
    const latencies: number[] = [];
    const roundTrips: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const tag = `"seq:${i}"`;
      const sent = Date.now();
      await client.mergePatch(
        `${agentsPath}/${LATENCY_AGENT}`,
        { spec: { global: { tags: [`seq:${i}`] } } },
        { fieldManager: "fleetdeck-bench" },
      );
      const responded = Date.now();
      roundTrips.push(responded - sent);
      const record = await waitForRecord(
        intake,
        last,
        (r) => isAgentSend(r, namespace, LATENCY_AGENT) && crdMetadataOf(r)!.crd_spec_full.includes(tag),
      );
      latencies.push(record.receivedAt - sent);
      own.push(record.receivedAt - responded);
      last = record.id;
      await sleep(10);
    }

    // 3. Helm release revisions stored as Secrets (the floor forwards DatadogAgents only).
    let helm: PhaseResult["helm"];
    if (side !== "floor") {
      const samples: number[] = [];
      const helmRoundTrips: number[] = [];
      const helmOwn: number[] = [];
      for (let revision = 1; revision <= HELM_REVISIONS; revision++) {
        const marker = `m${revision}m`;
        const secret = helmReleaseSecret({
          namespace,
          release: RELEASE,
          revision,
          values: { benchMarker: marker, datadog: { logLevel: "info" } },
        });
        const sent = Date.now();
        await client.create(`/api/v1/namespaces/${namespace}/secrets`, secret);
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
        samples.push(record.receivedAt - sent);
        helmOwn.push(record.receivedAt - responded);
        last = record.id;
        await sleep(10);
      }
      helm = {
        p50_ms: percentile(samples, 50),
        p99_ms: percentile(samples, 99),
        create_round_trip_p50_ms: percentile(helmRoundTrips, 50),
        own_p50_ms: percentile(helmOwn, 50),
        own_p99_ms: percentile(helmOwn, 99),
        samples_ms: samples,
        create_round_trip_samples_ms: helmRoundTrips,
      };
    }

    // 4. Burst.
    sampler.mark("beforeBurst");
    const reconcileSide: ReconcileSide | undefined =
      side === "peer" ? "peer" : side === "floor" ? undefined : "fleetdeck";
    const burst = await runBurst(client, intake, namespace, last, reconcileSide);
    sampler.mark("burstEnd");
    const memoryAtBurstEnd = forwarder.metricsURL ? await memoryMetrics(forwarder.metricsURL) : {};
    if (reconcileSide) Object.assign(burst, await waitReconciled(client, namespace, reconcileSide, burst));

    const reconciles = forwarder.metricsURL ? await reconcileCounts(forwarder.metricsURL) : {};
    const memoryAtEnd = forwarder.metricsURL ? await memoryMetrics(forwarder.metricsURL) : {};
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
      idle,
      latency: {
        p50_ms: percentile(latencies, 50),
        p99_ms: percentile(latencies, 99),
        max_ms: Math.max(...latencies),
        patch_round_trip_p50_ms: percentile(roundTrips, 50),
        own_p50_ms: percentile(own, 50),
        own_p99_ms: percentile(own, 99),
        samples_ms: latencies,
        own_samples_ms: own,
        patch_round_trip_samples_ms: roundTrips,
      },
      helm,
      burst,
      usage: {
        ...usage,
        cpuAtReady: marks.ready ?? Number.NaN,
        cpuAtFirstSend: marks.firstSend ?? Number.NaN,
        cpuBeforeBurst: marks.beforeBurst ?? Number.NaN,
        cpuAtBurstEnd: marks.burstEnd ?? Number.NaN,
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
      memory: { atBurstEnd: memoryAtBurstEnd, atEnd: memoryAtEnd },
      logMessages: logMessages(forwarder.logFile),
      intakeRecords: (await intake.records()).length,
    };
  } finally {
    sampler?.stop();
    await forwarder?.stop();
    await intake.close();
  }
}

function agentBody(name: string, global: Record<string, unknown>) {
  return {
    apiVersion: "datadoghq.com/v2alpha1",
    kind: "DatadogAgent",
    metadata: { name },
    spec: { global: { site: "datadoghq.com", credentials: { apiSecret: API_SECRET }, ...global } },
  };
}

async function runBurst(
  client: KubeClient,
  intake: Intake,
  namespace: string,
  afterId: number,
  reconcileSide: ReconcileSide | undefined,
): Promise<BurstResult> {
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

  const agentsPath = `${DDA_PATH}/namespaces/${namespace}/datadogagents`;
  const started = Date.now();
  let next = 0;
  const creator = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      await client.create(agentsPath, agentBody(name, { clusterName: name }));
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
  // What the side had reconciled when its last send arrived (read right after: a few hundred ms late).
  const reconciledAtLastSend = reconcileSide
    ? countReconciled(reconcileSide, names, await namespaceObjects(client, namespace))
    : undefined;
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
    reconciled_at_last_send: reconciledAtLastSend,
    started_at_ms: started,
  };
}

/** Polls until every burst agent is fully reconciled, progress stalls, or the cap passes. */
async function waitReconciled(
  client: KubeClient,
  namespace: string,
  side: ReconcileSide,
  burst: BurstResult,
): Promise<Pick<BurstResult, "all_reconciled_s" | "reconciled_final" | "reconciled_series">> {
  const started = burst.started_at_ms;
  const names = Array.from({ length: BURST }, (_, i) => `burst-${String(i).padStart(4, "0")}`);
  const series: [number, number][] = [];
  let best = -1;
  let bestAt = Date.now();
  for (;;) {
    const count = countReconciled(side, names, await namespaceObjects(client, namespace));
    const now = Date.now();
    series.push([round2((now - started) / 1000), count.reconciled]);
    if (count.reconciled >= BURST)
      return {
        all_reconciled_s: round2((now - started) / 1000),
        reconciled_final: count,
        reconciled_series: series,
      };
    if (count.reconciled > best) {
      best = count.reconciled;
      bestAt = now;
    }
    if (now - bestAt > RECONCILE_STALL_MS || now - started > RECONCILE_CAP_MS)
      return { all_reconciled_s: null, reconciled_final: count, reconciled_series: series };
    await sleep(RECONCILE_POLL_MS);
  }
}

interface SideSummary {
  phases: number;
  own_p50_ms: number;
  own_p99_ms: number;
  p50_ms: number;
  p99_ms: number;
  helm_own_p50_ms: number;
  burst_s: number;
  reconciled: number;
  all_reconciled_s: (number | null)[];
  cpu_s: number;
  cpu_at_burst_end_s: number;
  rss_mb: number;
  idle_rss_mb: number;
  idle_cpu_s: number;
  duplicates: number;
  load: number[];
}

function summarize(results: PhaseResult[]): SideSummary | undefined {
  if (results.length === 0) return undefined;
  const mean = (values: number[]) => round2(values.reduce((a, b) => a + b, 0) / values.length);
  const own = results.flatMap((r) => r.latency.own_samples_ms);
  const e2e = results.flatMap((r) => r.latency.samples_ms);
  const helmOwn = results.flatMap((r) => (r.helm ? [r.helm.own_p50_ms] : []));
  return {
    phases: results.length,
    own_p50_ms: percentile(own, 50),
    own_p99_ms: percentile(own, 99),
    p50_ms: percentile(e2e, 50),
    p99_ms: percentile(e2e, 99),
    helm_own_p50_ms: helmOwn.length > 0 ? mean(helmOwn) : Number.NaN,
    burst_s: mean(results.map((r) => r.burst.seconds)),
    reconciled: mean(results.map((r) => r.burst.reconciled_at_last_send?.reconciled ?? Number.NaN)),
    all_reconciled_s: results.map((r) => r.burst.all_reconciled_s ?? null),
    cpu_s: mean(results.map((r) => r.usage.cpuSeconds)),
    cpu_at_burst_end_s: mean(results.map((r) => r.usage.cpuAtBurstEnd)),
    rss_mb: round2(Math.max(...results.map((r) => r.usage.rssPeakMb))),
    idle_rss_mb: mean(results.map((r) => r.idle.rssMb)),
    idle_cpu_s: mean(results.map((r) => r.idle.cpuSeconds)),
    duplicates: results.reduce((n, r) => n + r.burst.duplicates, 0),
    load: results.flatMap((r) => [r.loadAverage.start, r.loadAverage.end]),
  };
}

function describe(r: PhaseResult): string {
  const rec = r.burst.reconciled_at_last_send;
  return (
    `own p50/p99 ${r.latency.own_p50_ms}/${r.latency.own_p99_ms} ms (end to end ${r.latency.p50_ms}/` +
    `${r.latency.p99_ms}), burst ${r.burst.seconds} s, ${r.burst.duplicates} duplicates` +
    (rec
      ? `, reconciled ${rec.reconciled} at the last send (revision ${rec.revision}, workloads ${rec.workloads}, ` +
        `status ${rec.statusVisible ? rec.status : "not visible"}), all after ${r.burst.all_reconciled_s ?? "never"} s`
      : "") +
    `, CPU ${round2(r.usage.cpuSeconds)} s, RSS peak ${round2(r.usage.rssPeakMb)} MB, idle ${r.idle.rssMb} MB, ` +
    `load ${r.loadAverage.start}->${r.loadAverage.end}`
  );
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

/** Heap gauges in MB from a Prometheus endpoint: Node's (prom-client) and Go's (client_golang). */
async function memoryMetrics(metricsURL: string): Promise<Record<string, number>> {
  const names = [
    "nodejs_heap_size_used_bytes",
    "nodejs_heap_size_total_bytes",
    "nodejs_external_memory_bytes",
    "go_memstats_heap_inuse_bytes",
    "go_memstats_heap_sys_bytes",
    "process_resident_memory_bytes",
  ];
  const text = await (await fetch(metricsURL)).text();
  const found: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [name, value] = line.split(" ");
    if (name && names.includes(name)) found[name.replace(/_bytes$/, "_mb")] = round2(Number(value) / 1048576);
  }
  return found;
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

/**
 * Deletes a phase's namespace and waits until it is gone, so the next phase starts clean. The
 * operator puts a finalizer on its DatadogAgents (and DatadogAgentInternals) and is stopped by
 * then, as after an uninstall: their finalizers are removed, or the namespace would never go.
 */
async function deleteNamespace(
  kc: KubeConfig,
  client: KubeClient,
  name: string,
  timeoutMs = 600_000,
): Promise<number> {
  const core = kc.makeApiClient(CoreV1Api);
  const started = Date.now();
  await core.deleteNamespace({ name });
  let finalizersRemoved = 0;
  for (let round = 0; ; round++) {
    try {
      await core.readNamespace({ name });
    } catch (error) {
      if ((error as { code?: number }).code === 404) break;
      throw error;
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`namespace ${name} still there after ${timeoutMs} ms`);
    if (round % 20 === 5) finalizersRemoved += await removeFinalizers(client, name);
    await sleep(500);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  log(
    `namespace ${name} deleted in ${seconds} s` +
      (finalizersRemoved > 0 ? ` (finalizers of ${finalizersRemoved} objects removed)` : ""),
  );
  return seconds;
}

/** Clears the finalizers of the namespace's custom resources already being deleted; how many. */
async function removeFinalizers(client: KubeClient, namespace: string): Promise<number> {
  let removed = 0;
  for (const path of [
    `${DDA_PATH}/namespaces/${namespace}/datadogagents`,
    `/apis/datadoghq.com/v1alpha1/namespaces/${namespace}/datadogagentinternals`,
  ]) {
    const list = await client.list<KubeObject>(path).catch(() => ({ items: [] as KubeObject[] }));
    const stuck = (list.items ?? []).filter(
      (o) =>
        o.metadata.deletionTimestamp && ((o.metadata.finalizers as string[] | undefined) ?? []).length > 0,
    );
    for (let i = 0; i < stuck.length; i += IN_FLIGHT) {
      await Promise.all(
        stuck.slice(i, i + IN_FLIGHT).map((o) =>
          client
            .mergePatch(`${path}/${o.metadata.name}`, { metadata: { finalizers: null } })
            .then(() => removed++)
            .catch(() => undefined),
        ),
      );
    }
  }
  return removed;
}

function log(line: string): void {
  console.log(`[metadata-peer] ${line}`);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
