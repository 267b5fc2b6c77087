// A store with rows of two clusters in every model the dashboard reads, for the read scope's
// store tests (server/scope/read-scope.store.test.ts): each cluster's rows carry its word
// ("alpha", "bravo") in their cluster id, name and namespace, so a query's answer that holds
// a row of a cluster holds its word. Rows are written by the controller's own store writers
// where they are plain functions, otherwise in the shape those writers give them.
import { AgentReadModel } from "../controller/agents/read-model";
import { recordAudit } from "../controller/store/audit";
import { DEFAULT_HEALTH_GATE } from "../lib/agents";
import { insertCommand } from "../lib/db/commands";
import type { Database } from "../lib/db/open";
import { addCluster, addHeartbeat, agentSnapshot, rollout } from "./query-store";

export const WORDS = ["alpha", "bravo"] as const;
export type Word = (typeof WORDS)[number];

/** What a cluster's rows are: its id, name, and the one namespace everything of it lives in. */
export const clusterOf = (word: Word) => ({ id: `uid-${word}`, name: `cluster-${word}`, ns: `ns-${word}` });

/** The ids of rows read by id (a send, a command), per cluster. */
export interface SeededIds {
  crdSend: number;
  helmSend: number;
  agentCommand: number;
  spotCommand: number;
  apiTokenCommand: number;
}

async function seedCluster(db: Database, word: Word, now: Date): Promise<SeededIds> {
  const { id, name, ns } = clusterOf(word);
  const agent = `${ns}/web`;
  await addCluster(db, id, name);
  await addHeartbeat(db, id, `ctl-${word}`, { isLeader: true, authorizationMode: "kubernetes" });
  const agents = new AgentReadModel(db, id);
  await agents.syncAgent(agentSnapshot(agent), {
    revision: {
      agentKey: agent,
      name: `web-${word}`,
      hash: word,
      spec: { global: { site: `${word}.example` } },
      cause: "user-edit",
      actor: `${word}-editor`,
    },
  });
  await agents.syncRollouts(new Map([[agent, rollout(1, 2, 1)]]));
  await agents.startExperiment({
    agentKey: agent,
    experimentId: `exp-${word}`,
    actor: `${word}-editor`,
    source: "dashboard",
    timeoutSeconds: 600,
    baselineRevision: `web-${word}`,
    candidateRevision: `web-${word}-2`,
    config: { global: { logLevel: "debug" } },
    healthGate: DEFAULT_HEALTH_GATE,
    startedAt: new Date(now.getTime() - 598_000),
  });
  const send = (forwarder: string, kind: string, object: string, previous = false) =>
    db.metadataSend.create({
      data: {
        clusterId: id,
        at: previous ? new Date(now.getTime() - 60_000) : now,
        forwarder,
        kind,
        object,
        reason: "update",
        status: previous ? "failed" : "sent",
        payload: JSON.stringify({ object, cluster: word, values: previous ? "before" : "after" }),
        sizeBytes: 64,
        httpStatus: 202,
        latencyMs: 12,
      },
    });
  await send("crd", "DatadogAgent", agent, true);
  await send("helm", "HelmRelease", `${ns}/datadog`, true);
  const crdSend = await send("crd", "DatadogAgent", agent);
  const helmSend = await send("helm", "HelmRelease", `${ns}/datadog`);
  for (const forwarder of ["crd", "helm"])
    await db.metadataForwarder.create({
      data: {
        clusterId: id,
        name: forwarder,
        state: "on",
        intakeUrl: `https://intake.${word}.example`,
        controllerId: `ctl-${word}`,
        heartbeatSeconds: 60,
        updatedAt: now,
      },
    });
  await db.spotWorkload.create({
    data: {
      clusterId: id,
      key: `Deployment/${ns}/shop`,
      kind: "Deployment",
      namespace: ns,
      name: "shop",
      percentage: 70,
      minOnDemand: 1,
      spotPods: 7,
      onDemandPods: 3,
      pendingSpotPods: 0,
      targetSpot: 7,
      targetOnDemand: 3,
      disabledUntil: new Date(now.getTime() + 600_000),
      updatedAt: now,
    },
  });
  await db.spotEvent.create({
    data: {
      clusterId: id,
      at: now,
      workloadKey: `Deployment/${ns}/shop`,
      reason: "SpotAssigned",
      type: "Normal",
      objectKind: "Pod",
      objectName: `shop-${word}`,
      message: `placed ${word}`,
    },
  });
  await db.autoscalingGate.create({
    data: {
      clusterId: id,
      controllerId: `ctl-${word}`,
      workloadEnabled: true,
      podStoreEager: false,
      open: true,
      openedAt: now,
      openedByKind: "DatadogPodAutoscaler",
      openedByName: `${ns}/shop`,
      podsCached: 3,
      podStoreBytes: 0,
      updatedAt: now,
    },
  });
  await db.podAutoscaler.create({
    data: {
      clusterId: id,
      key: `${ns}/shop`,
      namespace: ns,
      name: "shop",
      targetKind: "Deployment",
      targetName: `shop-${word}`,
      updatedAt: now,
    },
  });
  await db.podAutoscalerProfile.create({ data: { clusterId: id, name: `profile-${word}`, updatedAt: now } });
  const command = async (kind: string, target: string, payload: unknown, actorAuth = "proxy" as const) => {
    const result = await insertCommand(db, {
      clusterId: id,
      kind,
      target,
      payload,
      actor: `${word}-editor`,
      actorAuth,
      identity: { user: `${word}-editor`, groups: [] },
      source: "dashboard",
    });
    if (!result.ok) throw new Error(result.error);
    return result.commandId;
  };
  const agentCommand = await command("restore-revision", agent, { revision: `web-${word}` });
  const spotCommand = await command("disable-spot", `${ns}/shop`, { kind: "Deployment", minutes: 10 });
  await command("ping", "", {});
  const apiTokenCommand = await insertCommand(db, {
    clusterId: id,
    kind: "stop-experiment",
    target: agent,
    payload: { experimentId: `exp-${word}` },
    actor: "fleet-automation",
    actorAuth: "api-token",
    source: "signal",
  });
  if (!apiTokenCommand.ok) throw new Error(apiTokenCommand.error);
  await db.$transaction(async (tx) => {
    await recordAudit(tx, id, {
      actor: "controller",
      action: "experiment.started",
      targetKind: "DatadogAgent",
      target: agent,
    });
    await recordAudit(tx, id, {
      actor: "controller",
      action: "spot.disabled",
      targetKind: "Deployment",
      target: `${ns}/shop`,
    });
    await recordAudit(tx, id, {
      actor: "controller",
      action: "autoscaler.error",
      targetKind: "DatadogPodAutoscaler",
      target: `${ns}/shop`,
    });
    await recordAudit(tx, id, {
      actor: `ctl-${word}`,
      action: "metadata.forwarding-started",
      targetKind: "MetadataIntake",
      target: `https://intake.${word}.example`,
    });
  });
  return {
    crdSend: crdSend.id,
    helmSend: helmSend.id,
    agentCommand,
    spotCommand,
    apiTokenCommand: apiTokenCommand.commandId,
  };
}

/** Both clusters' rows, and a sign-in of the dashboard's own (no cluster). */
export async function seedTwoClusters(db: Database): Promise<Record<Word, SeededIds>> {
  const now = new Date();
  const ids = { alpha: await seedCluster(db, "alpha", now), bravo: await seedCluster(db, "bravo", now) };
  await db.auditEvent.create({
    data: {
      actor: "admin",
      action: "auth.break-glass",
      targetKind: "Dashboard",
      target: "",
      details: JSON.stringify({ client: "alpha-bravo-client" }),
      source: "web",
    },
  });
  return ids;
}
