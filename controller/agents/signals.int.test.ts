// The operator's experiment signal annotations on the real API server: experiment.datadoghq.com/
// signal (start, rollback, promote) and /id, written as Fleet Automation's daemon writes them (a
// start's config in the same merge patch, pkg/fleet buildSignalPatch), processed as upstream does
// (act, then clear both with a JSON patch that tests the id; a start with a known id is a no-op,
// over a running experiment ignored; an unknown signal cleared), audited with the field manager
// that wrote them, and judged by fleetdeck's config policy.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/open";
import {
  agentClient,
  agentEvents,
  agentState,
  createApiKeySecret,
  currentRevision,
  startAgents,
  type AgentObject,
} from "../../test/agents";
import type { ControllerUnderTest } from "../../test/controller";
import { controllerKubeConfig, eventually, statusOf, testNamespace, uniqueName } from "../../test/harness";
import { createTestDatabase } from "../../testing/database";
import { KubeClient } from "../kube/client";
import { AgentApi, SIGNAL_ANNOTATION, SIGNAL_ID_ANNOTATION, type DatadogAgent } from "./api";
import { revisionName, specHash } from "./hash";

const ns = testNamespace("signals");
const agents = () => agentClient(ns.kc);
const DAEMON = "fleet-daemon";
const ACTOR = `field manager ${DAEMON} (signal annotation)`;
const baseSpec = {
  global: {
    clusterName: "signals",
    credentials: { apiSecret: { secretName: "datadog-secret", keyName: "api-key" } },
  },
  features: { apm: { enabled: true } },
};
let db: Database;
let controller: ControllerUnderTest;

beforeAll(async () => {
  ({ db } = await createTestDatabase("signals"));
  await createApiKeySecret(ns.kc, ns.name);
  controller = await startAgents(controllerKubeConfig(), db);
});
afterAll(async () => {
  await controller?.stop();
});

/** The daemon's merge patch: the signal annotations, and a start's config in the same write. */
async function signal(
  name: string,
  value: string,
  id: string,
  extra: { spec?: object; annotations?: object } = {},
) {
  await ns.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
    {
      group: "datadoghq.com",
      version: "v2alpha1",
      plural: "datadogagents",
      namespace: ns.name,
      name,
      fieldManager: DAEMON,
      body: {
        metadata: {
          annotations: { [SIGNAL_ANNOTATION]: value, [SIGNAL_ID_ANNOTATION]: id, ...extra.annotations },
        },
        ...(extra.spec ? { spec: extra.spec } : {}),
      },
    },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

async function newAgent(prefix: string) {
  const name = uniqueName(prefix);
  await agents().create(ns.name, name, baseSpec);
  const baseline = revisionName(name, specHash(baseSpec));
  await currentRevision(ns.kc, db, ns.name, name, baseline);
  return { name, key: `${ns.name}/${name}`, baseline };
}

/** Waits until the annotations are gone (acted on and cleared); returns the agent. */
const cleared = (name: string) =>
  eventually(async () => {
    const a = await agents().get(ns.name, name);
    expect(a.metadata.annotations?.[SIGNAL_ANNOTATION]).toBeUndefined();
    expect(a.metadata.annotations?.[SIGNAL_ID_ANNOTATION]).toBeUndefined();
    return a;
  });

const audits = async (key: string) =>
  (await db.auditEvent.findMany({ where: { target: key }, orderBy: { id: "asc" } })).map((a) => ({
    action: a.action,
    actor: a.actor,
    details: JSON.parse(a.details) as Record<string, unknown>,
  }));

describe("start", () => {
  it("starts the experiment its config came with: running, the baseline the revision before, cleared, audited with its writer", async () => {
    const { name, key, baseline } = await newAgent("start");
    const config = { features: { apm: { enabled: true }, logCollection: { enabled: true } } };
    const candidate = revisionName(name, specHash({ ...baseSpec, ...config }));
    await signal(name, "start", "fa-1", {
      spec: config,
      annotations: { "fleet.datadoghq.com/pending-task-id": "task-77" },
    });
    const agent = await cleared(name);
    expect(agent.status?.experiment).toMatchObject({
      phase: "running",
      id: "fa-1",
      startTaskID: "task-77",
      startedAt: expect.any(String),
    });
    const state = await currentRevision(ns.kc, db, ns.name, name, candidate);
    expect(state.experiment).toMatchObject({ baselineRevision: baseline, timeoutSeconds: 900 });
    expect(state.experiment?.expectedSpecHash).toBeUndefined(); // its config came with it
    expect(await db.experiment.findFirstOrThrow({ where: { agentKey: key } })).toMatchObject({
      experimentId: "fa-1",
      source: "annotation",
      actor: ACTOR,
      baselineRevision: baseline,
      candidateRevision: candidate,
    });
    const history = await db.agentRevision.findMany({ where: { agentKey: key }, orderBy: { id: "asc" } });
    expect(history.at(-1)).toMatchObject({ name: candidate, cause: "experiment-start", actor: ACTOR });
    expect(await audits(key)).toContainEqual({
      action: "experiment.started",
      actor: ACTOR,
      details: expect.objectContaining({
        experimentId: "fa-1",
        source: "annotation",
        baselineRevision: baseline,
      }),
    });
    await eventually(async () =>
      expect((await agentEvents(ns.kc, ns.name, name)).map((e) => e.note)).toContainEqual(
        expect.stringMatching(new RegExp(`^Experiment fa-1 started by ${ACTOR.replace(/[()]/g, "\\$&")}`)),
      ),
    );

    // The same start again: a no-op (its id is the status's), cleared.
    await signal(name, "start", "fa-1");
    await cleared(name);
    // Another start while it runs: ignored, cleared; the running one goes on.
    await signal(name, "start", "fa-2");
    await cleared(name);
    expect((await agents().get(ns.name, name)).status?.experiment).toMatchObject({
      phase: "running",
      id: "fa-1",
    });
    expect((await audits(key)).filter((a) => a.action === "experiment.signal-ignored")).toEqual([
      expect.objectContaining({
        actor: ACTOR,
        details: expect.objectContaining({ reason: "experiment fa-1 was already started" }),
      }),
      expect.objectContaining({
        details: expect.objectContaining({
          reason: "experiment fa-1 is running: a start of fa-2 is ignored",
        }),
      }),
    ]);
    expect(await db.experiment.count({ where: { agentKey: key } })).toBe(1);
  });

  it("a start whose config the policy refuses is undone: the baseline is written back, the signal rejected with why", async () => {
    const { name, key, baseline } = await newAgent("policy");
    await signal(name, "start", "fa-bad", {
      spec: { override: { nodeAgent: { image: { name: "evil.example/agent" } } } },
    });
    const agent = await cleared(name);
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    expect(specHash(agent.spec)).toBe(specHash(baseSpec));
    expect(agent.status?.experiment).toBeUndefined();
    expect(await db.experiment.count({ where: { agentKey: key } })).toBe(0);
    expect(await audits(key)).toContainEqual({
      action: "experiment.signal-rejected",
      actor: ACTOR,
      details: expect.objectContaining({
        signal: "start",
        reason: expect.stringMatching(
          /^refused by fleetdeck's policy: image repository "evil.example\/agent"/,
        ),
      }),
    });
    await eventually(async () =>
      expect((await agentEvents(ns.kc, ns.name, name)).map((e) => e.reason)).toContain(
        "ExperimentSignalRejected",
      ),
    );
  });
});

describe("rollback and promote", () => {
  it("rollback: the baseline is restored, phase terminated (stopped), the signal's writer recorded", async () => {
    const { name, key, baseline } = await newAgent("rollback");
    await signal(name, "start", "fa-r", { spec: { global: { logLevel: "debug" } } });
    await cleared(name);
    await eventually(async () =>
      expect((await agentState(db, key)).experiment?.expectedSpecHash).toBeUndefined(),
    );

    await signal(name, "rollback", "fa-r");
    const agent = await eventually(async () => {
      const a = await cleared(name);
      expect(a.status?.experiment).toMatchObject({
        phase: "terminated",
        terminationReason: "stopped",
        id: "fa-r",
      });
      return a;
    });
    expect(specHash(agent.spec)).toBe(specHash(baseSpec));
    await currentRevision(ns.kc, db, ns.name, name, baseline);
    expect(await db.experiment.findFirstOrThrow({ where: { agentKey: key } })).toMatchObject({
      endReason: "stopped",
      endedBy: ACTOR,
    });
    expect(await audits(key)).toContainEqual(
      expect.objectContaining({ action: "experiment.stop-requested", actor: ACTOR }),
    );
    // The restore's history entry names the signal's writer too.
    await eventually(async () => {
      const history = await db.agentRevision.findMany({ where: { agentKey: key }, orderBy: { id: "asc" } });
      expect(history.at(-1)).toMatchObject({ name: baseline, cause: "rollback", actor: ACTOR });
    });
  });

  it("promote: the candidate stays, phase promoted; a rollback of another id, and an unknown signal, are cleared and change nothing", async () => {
    const { name, key } = await newAgent("promote");
    const config = { global: { tags: ["promoted:yes"] } };
    await signal(name, "start", "fa-p", { spec: config });
    await cleared(name);
    await eventually(async () =>
      expect((await agentState(db, key)).experiment?.expectedSpecHash).toBeUndefined(),
    );

    await signal(name, "rollback", "someone-else");
    await cleared(name);
    await signal(name, "pause", "fa-p");
    await cleared(name);
    expect((await agents().get(ns.name, name)).status?.experiment?.phase).toBe("running");
    const ignored = (await audits(key)).filter((a) => a.action === "experiment.signal-ignored");
    expect(ignored.map((a) => a.details.reason)).toEqual([
      "experiment id mismatch: the running experiment is fa-p, not someone-else",
      'unknown signal "pause"; expected start, rollback, promote',
    ]);

    await signal(name, "promote", "fa-p");
    await eventually(async () => {
      const a = await cleared(name);
      expect(a.status?.experiment).toMatchObject({ phase: "promoted", id: "fa-p" });
      expect(a.spec).toMatchObject(config);
    });
    expect(await db.experiment.findFirstOrThrow({ where: { agentKey: key } })).toMatchObject({
      endReason: "promoted",
      endedBy: ACTOR,
    });
  });
});

describe("clearing", () => {
  it("tests the id first: a newer signal written meanwhile is not removed", async () => {
    const { name } = await newAgent("clear");
    // No experiment, a rollback: acted on (nothing to do) and cleared.
    await signal(name, "rollback", "old");
    await cleared(name);
    const stale = (await agents().get(ns.name, name)) as AgentObject as DatadogAgent;
    // From here nobody else clears: as if the daemon wrote "new" after the reconcile read "old".
    await controller.stop();
    await signal(name, "rollback", "new");
    const api = new AgentApi(new KubeClient(ns.kc));
    const reading = {
      ...stale,
      metadata: { ...stale.metadata, annotations: { [SIGNAL_ANNOTATION]: "rollback" } },
    };
    expect(await statusOf(api.clearSignal(reading, "old"))).toBe(422);
    expect((await agents().get(ns.name, name)).metadata.annotations).toMatchObject({
      [SIGNAL_ANNOTATION]: "rollback",
      [SIGNAL_ID_ANNOTATION]: "new",
    });
    await api.clearSignal(reading, "new");
    await cleared(name);
  });
});
