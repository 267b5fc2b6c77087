// The experiment command handlers over a fake DatadogAgent API and a fake store: the paths the
// integration tests cannot reach on demand — a spec write refused after the status was written
// (the status is put back), a DatadogAgent that keeps changing (give up after five conflicts),
// stop/promote on an experiment that is not running, and a stop or promote decided in the store
// for the reconcile to carry out.
import { describe, expect, it } from "vitest";
import pino from "pino";
import type { AgentStatus } from "../../lib/agents";
import { parseCommand, type CommandPayload } from "../../lib/commands";
import type { CandidateHealth } from "../../lib/rollout";
import { parseSignal } from "../../lib/signals";
import type { CommandContext } from "../commands/registry";
import { CommandRejected } from "../commands/registry";
import { ApiError } from "../kube/client";
import type { DatadogAgent } from "./api";
import { agentHandlers, type HandlerDeps } from "./commands";
import { DATADOG_REGISTRIES } from "./config-policy";
import { DATADOG_SITES } from "./endpoint-policy";
import { revisionName, specHash } from "./hash";
import type { AgentReadModel, ExperimentEnd, RevisionEntry } from "./read-model";
import type { NewExperimentRow } from "../../lib/read-model/agents";
import type { Revisions } from "./revisions";

/** One DatadogAgent held in memory, with the API server's resourceVersion guard. */
class FakeAgentApi {
  agent: DatadogAgent = {
    metadata: { name: "datadog", namespace: "datadog", uid: "u1", resourceVersion: "1", generation: 1 },
    spec: { global: { site: "datadoghq.com" } },
    status: {},
  };
  /** Failures to inject, in order, on the next (non dry-run) calls. */
  replaceFailures: ApiError[] = [];
  statusFailures: ApiError[] = [];
  statusPatches: unknown[] = [];
  specWrites = 0;
  /** While set, reads wait for it: a slow API server. */
  hold: Promise<void> | undefined;

  async get() {
    await this.hold;
    return structuredClone(this.agent);
  }
  async replaceSpec(agent: DatadogAgent, spec: unknown, _cause: unknown, options: { dryRun?: boolean } = {}) {
    this.guard(agent);
    if (options.dryRun) return structuredClone(agent);
    const failure = this.replaceFailures.shift();
    if (failure) throw failure;
    this.specWrites++;
    this.agent = { ...this.agent, spec: spec as DatadogAgent["spec"], metadata: this.bump() };
    return structuredClone(this.agent);
  }
  async patchStatus(agent: DatadogAgent, patch: unknown) {
    this.guard(agent);
    const failure = this.statusFailures.shift();
    if (failure) throw failure;
    this.statusPatches.push(patch);
    const status = mergePatch(this.agent.status ?? {}, patch) as DatadogAgent["status"];
    this.agent = { ...this.agent, status, metadata: this.bump() };
    return structuredClone(this.agent);
  }
  private guard(agent: DatadogAgent) {
    if (agent.metadata.resourceVersion !== this.agent.metadata.resourceVersion)
      throw new ApiError(409, "HTTP 409: the object has been modified");
  }
  private bump() {
    return {
      ...this.agent.metadata,
      resourceVersion: String(Number(this.agent.metadata.resourceVersion) + 1),
    };
  }
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function setup(candidate: CandidateHealth | null = null) {
  const api = new FakeAgentApi();
  const calls: string[] = [];
  /** What the store holds: the started experiment's row, the ends decided. */
  const store = {
    started: undefined as NewExperimentRow | undefined,
    ends: [] as { id: string; end: ExperimentEnd; revision?: RevisionEntry }[],
    ended: false,
  };
  const readModel = {
    // The revision pointer the store keeps, and the experiment of the status with its row's part.
    state: async () => ({
      status: {
        currentRevision: "datadog-aaaaaaaaaa",
        ...(api.agent.status?.experiment
          ? {
              experiment: {
                ...api.agent.status.experiment,
                ...(store.started
                  ? {
                      baselineRevision: store.started.baselineRevision,
                      // Not landed yet: the store expects the candidate's hash.
                      expectedSpecHash: store.started.candidateRevision.slice(-10),
                    }
                  : {}),
              },
            }
          : {}),
      } as AgentStatus,
      row: null,
    }),
    startExperiment: async (row: NewExperimentRow) => {
      store.started = row;
      calls.push("startExperiment");
    },
    forgetExperiment: async () => void calls.push("forgetExperiment"),
    audit: async () => void calls.push("audit"),
    decideEnd: async (
      _key: string,
      id: string,
      end: ExperimentEnd,
      _audit: unknown,
      revision?: RevisionEntry,
    ) => {
      calls.push("decideEnd");
      if (store.ended) return false;
      store.ends.push({ id, end, revision });
      store.ended = true;
      return true;
    },
  } as unknown as AgentReadModel;
  const revisions = {
    get: async () => ({ spec: { global: { site: "datadoghq.eu" } } }),
    ensure: async () => void calls.push("ensureRevision"),
  } as unknown as Revisions;
  const deps: HandlerDeps = {
    api,
    readModel,
    revisions,
    events: { record: () => void calls.push("event") },
    defaultTimeoutSeconds: 1800,
    defaultHealthGate: { enabled: true, thresholdPercent: 10, graceSeconds: 120 },
    candidateHealth: () => candidate,
    policy: { registries: DATADOG_REGISTRIES, secrets: [], endpoints: DATADOG_SITES },
    reconcileSoon: (target) => void calls.push(`reconcile ${target}`),
  };
  return { api, calls, store, deps, handlers: agentHandlers(deps) };
}

const ctx: CommandContext = {
  id: 7,
  kind: "start-experiment",
  target: "datadog/datadog",
  actor: "alice",
  reason: null,
  source: "dashboard",
  log: pino({ level: "silent" }),
  signal: new AbortController().signal,
};

const start = { experimentId: "exp-1", config: { features: { apm: { enabled: true } } } };

describe("start-experiment", () => {
  it("puts the status back and forgets the experiment when the API server refuses the spec after the status was written", async () => {
    const { api, calls, handlers } = setup();
    api.replaceFailures = [new ApiError(422, 'HTTP 422: spec.features.apm: Invalid value: "x"')];
    const before = structuredClone(api.agent.status);

    await expect(handlers.startExperiment(start, ctx)).rejects.toThrow(
      new CommandRejected(
        'the candidate spec could not be written; the experiment was not started: HTTP 422: spec.features.apm: Invalid value: "x"',
      ),
    );
    expect(api.statusPatches).toHaveLength(2); // the start, then its revert
    expect(api.agent.status).toEqual(before);
    expect(api.agent.spec).toEqual({ global: { site: "datadoghq.com" } });
    expect(calls).toEqual(["ensureRevision", "startExperiment", "forgetExperiment"]);
  });

  it("gives up after five conflicts with a message saying to try again, having written nothing", async () => {
    const { api, calls, handlers } = setup();
    api.statusFailures = Array.from({ length: 5 }, () => new ApiError(409, "HTTP 409: conflict"));

    await expect(handlers.startExperiment(start, ctx)).rejects.toThrow(
      new CommandRejected(
        "the DatadogAgent kept changing while this command was applied (5 conflicts); try again",
      ),
    );
    expect(api.statusPatches).toEqual([]);
    expect(api.agent.status).toEqual({});
    expect(calls.filter((c) => c === "forgetExperiment")).toHaveLength(5);
  });

  it("a conflict on the spec write (the status already written) is retried as the same start: its row is kept", async () => {
    const { api, calls, store, handlers } = setup();
    api.replaceFailures = [new ApiError(409, "HTTP 409: conflict")];
    const outcome = await handlers.startExperiment(start, ctx);
    expect(outcome.status).toBe("applied");
    expect(calls.filter((c) => c === "forgetExperiment")).toEqual([]);
    expect(store.started).toMatchObject({ experimentId: "exp-1" });
    expect(api.specWrites).toBe(1);
    expect(api.agent.spec).toMatchObject({ features: { apm: { enabled: true } } });
  });

  it("starts after a conflict or two, from a fresh read", async () => {
    const { api, store, handlers } = setup();
    api.statusFailures = [new ApiError(409, "HTTP 409: conflict"), new ApiError(409, "HTTP 409: conflict")];

    const outcome = await handlers.startExperiment(start, ctx);
    expect(outcome.status).toBe("applied");
    // The operator's fields in the status; the baseline in the store.
    expect(Object.keys(api.agent.status?.experiment ?? {}).sort()).toEqual(["id", "phase", "startedAt"]);
    expect(api.agent.status?.experiment).toMatchObject({ phase: "running", id: "exp-1" });
    // The baseline is the spec the agent had (its revision ensured), even where the store lags.
    expect(store.started).toMatchObject({
      baselineRevision: revisionName("datadog", specHash({ global: { site: "datadoghq.com" } })),
      source: "dashboard",
    });
    expect(api.agent.spec).toEqual({
      global: { site: "datadoghq.com" },
      features: { apm: { enabled: true } },
    });
  });
});

describe("stop-experiment and promote-experiment", () => {
  it("are ignored, with the reason, when no experiment of that id is running, and write nothing", async () => {
    const { api, calls, handlers } = setup();
    const stop = await handlers.stopExperiment(
      { experimentId: "exp-1" },
      { ...ctx, kind: "stop-experiment" },
    );
    expect(stop).toEqual({ status: "ignored", message: "no experiment to stop: none is running" });
    api.agent.status = { experiment: { phase: "running", id: "exp-2" } };
    const promote = await handlers.promoteExperiment(
      { experimentId: "exp-1" },
      { ...ctx, kind: "promote-experiment" },
    );
    expect(promote).toEqual({
      status: "ignored",
      message: "experiment id mismatch: the running experiment is exp-2, not exp-1",
    });
    expect(api.statusPatches).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("decide the end in the store and queue the reconcile, which carries it out; the cluster is not written here", async () => {
    const { api, calls, store, handlers } = setup();
    api.agent.status = { experiment: { phase: "running", id: "exp-1" } };
    const stop = await handlers.stopExperiment(
      { experimentId: "exp-1" },
      { ...ctx, kind: "stop-experiment" },
    );
    expect(stop).toMatchObject({ status: "applied", message: expect.stringContaining("stopped") });
    expect(store.ends).toEqual([
      {
        id: "exp-1",
        end: { end: "stopped", detail: "stopped by alice", endedBy: "alice" },
        revision: undefined,
      },
    ]);
    expect(calls).toEqual(["decideEnd", "reconcile datadog/datadog"]);
    expect(api.statusPatches).toEqual([]);
    expect(api.specWrites).toBe(0);

    // A promote after the stop was decided finds the experiment ended (a timeout would too).
    const promote = await handlers.promoteExperiment(
      { experimentId: "exp-1" },
      { ...ctx, kind: "promote-experiment" },
    );
    expect(promote).toEqual({ status: "ignored", message: "experiment exp-1 has already ended" });
  });

  it("a promote confirms the candidate as a history entry of its own", async () => {
    const { api, store, handlers } = setup();
    api.agent.status = { experiment: { phase: "running", id: "exp-1" } };
    const promote = await handlers.promoteExperiment(
      { experimentId: "exp-1" },
      { ...ctx, kind: "promote-experiment" },
    );
    expect(promote.status).toBe("applied");
    expect(store.ends[0]).toMatchObject({
      end: { end: "promoted", endedBy: "alice" },
      revision: { cause: "promote", actor: "alice", experimentId: "exp-1" },
    });
  });
});

describe("the health gate at the start and at a promote", () => {
  it("a start without settings (a Remote Config signal's) gets the controller's defaults in the status", async () => {
    const signal = parseSignal(
      JSON.stringify({ action: "startExperiment", experiment_id: "exp-1", config: start.config }),
    );
    if (!signal.ok || signal.kind !== "start-experiment") throw new Error("signal not parsed");
    const parsed = parseCommand(signal.kind, "datadog/datadog", signal.payload);
    if (!parsed.ok) throw new Error(parsed.error);
    const { store, handlers } = setup();
    const outcome = await handlers.startExperiment(parsed.payload as CommandPayload<"start-experiment">, ctx);
    expect(store.started?.healthGate).toEqual({
      enabled: true,
      thresholdPercent: 10,
      graceSeconds: 120,
    });
    expect(outcome.message).toContain(
      "health gate: rolled back when more than 10 % of the candidate's pods are unavailable for 120 s",
    );
  });

  it("a start's own settings win field by field", async () => {
    const { store, handlers } = setup();
    await handlers.startExperiment({ ...start, healthGate: { graceSeconds: 20 } }, ctx);
    expect(store.started?.healthGate).toEqual({
      enabled: true,
      thresholdPercent: 10,
      graceSeconds: 20,
    });
  });

  it("a promote is rejected with the gate's reason while the candidate is unhealthy, and writes nothing", async () => {
    const summary =
      "1 of 1 candidate pods unavailable for more than 20 s (the gate allows 0): x on n: CrashLoopBackOff";
    const { api, calls, handlers } = setup({ state: "unhealthy", summary } as CandidateHealth);
    api.agent.status = { experiment: { phase: "running", id: "exp-1" } };
    await expect(
      handlers.promoteExperiment({ experimentId: "exp-1" }, { ...ctx, kind: "promote-experiment" }),
    ).rejects.toThrow(
      new CommandRejected(
        `the candidate is unhealthy: ${summary}. Stop the experiment, or let the health gate roll it back`,
      ),
    );
    expect(api.statusPatches).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe("a command that timed out", () => {
  // The consumer rejects a command whose handler outlives its timeout and aborts its signal; the
  // handler, still waiting on a slow read, must not write anything once that read returns.
  it("writes nothing after its signal is aborted, whatever the handler", async () => {
    const running = { experiment: { phase: "running", id: "exp-1" } };
    const cases = [
      {
        name: "start",
        status: undefined,
        run: (h: Handlers, c: CommandContext) => h.startExperiment(start, c),
      },
      {
        name: "stop",
        status: running,
        run: (h: Handlers, c: CommandContext) => h.stopExperiment({ experimentId: "exp-1" }, c),
      },
      {
        name: "promote",
        status: running,
        run: (h: Handlers, c: CommandContext) => h.promoteExperiment({ experimentId: "exp-1" }, c),
      },
      {
        name: "restore",
        status: undefined,
        run: (h: Handlers, c: CommandContext) => h.restoreRevision({ revision: "datadog-bbbbbbbbbb" }, c),
      },
    ];
    for (const { name, status, run } of cases) {
      const { api, calls, handlers } = setup();
      if (status) api.agent.status = status as DatadogAgent["status"];
      const before = structuredClone(api.agent);
      let release = () => {};
      api.hold = new Promise((resolve) => (release = resolve));
      const abort = new AbortController();
      const result = run(handlers, { ...ctx, signal: abort.signal });
      abort.abort(); // the consumer's timeout fired while the read was in flight
      release();
      await expect(result, name).rejects.toThrow(/aborted/i);
      expect(api.statusPatches, name).toEqual([]);
      expect(api.specWrites, name).toBe(0);
      expect(api.agent, name).toEqual(before);
      expect(calls, name).toEqual([]);
    }
  });
});

type Handlers = ReturnType<typeof agentHandlers>;

describe("the image, Secret and endpoint policy", () => {
  it("refuses an experiment that brings in another registry's image, a new Secret or another destination, writing nothing", async () => {
    for (const config of [
      { override: { nodeAgent: { image: { name: "evil.example/agent" } } } },
      {
        override: {
          nodeAgent: { env: [{ name: "X", valueFrom: { secretKeyRef: { name: "payments-db", key: "k" } } }] },
        },
      },
      { override: { nodeAgent: { env: [{ name: "DD_DD_URL", value: "https://intake.evil.example" }] } } },
    ]) {
      const { api, calls, handlers } = setup();
      await expect(handlers.startExperiment({ experimentId: "exp-1", config }, ctx)).rejects.toThrow(
        /^refused by fleetdeck's policy: (image repository "evil.example\/agent"|Secret "payments-db"|endpoint host "intake.evil.example" \(override.nodeAgent.env\[0\] \(DD_DD_URL\)\))/,
      );
      expect(api.statusPatches).toEqual([]);
      expect(api.specWrites).toBe(0);
      expect(calls).toEqual([]);
    }
  });

  it("refuses to restore a revision whose image comes from elsewhere", async () => {
    const { api, handlers, deps } = setup();
    deps.revisions.get = (async () => ({
      spec: { override: { nodeAgent: { image: { name: "evil.example/agent" } } } },
    })) as unknown as typeof deps.revisions.get;
    await expect(
      handlers.restoreRevision({ revision: "datadog-bbbbbbbbbb" }, { ...ctx, kind: "restore-revision" }),
    ).rejects.toThrow(/^refused by fleetdeck's policy: image repository "evil.example\/agent"/);
    expect(api.specWrites).toBe(0);
  });

  it("refuses to restore a revision that sends the agents' data elsewhere", async () => {
    const { api, handlers, deps } = setup();
    deps.revisions.get = (async () => ({
      spec: { global: { site: "evil.example" } },
    })) as unknown as typeof deps.revisions.get;
    await expect(
      handlers.restoreRevision({ revision: "datadog-bbbbbbbbbb" }, { ...ctx, kind: "restore-revision" }),
    ).rejects.toThrow(/^refused by fleetdeck's policy: endpoint host "evil.example" \(global.site\)/);
    expect(api.specWrites).toBe(0);
  });
});
