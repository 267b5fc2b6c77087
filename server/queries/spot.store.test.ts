// The spot page: every workload of the spot read model with its latest events and the
// viewer's permission to disable spot on it.
import { describe, expect, it } from "vitest";
import { commandAccess } from "@/lib/access";
import { AccessReadModel } from "@/controller/access/read-model";
import { addCluster, queryStore, fullScope, scopeOfActor, viewAnswers } from "@/test/query-store";
import type { Actor } from "../actor";
import { spotOverview } from "./spot";

const db = queryStore();
const all = () => fullScope(db());

async function workload(clusterId: string, kind: string, namespace: string, name: string) {
  await db().spotWorkload.create({
    data: {
      clusterId,
      key: `${kind}/${namespace}/${name}`,
      kind,
      namespace,
      name,
      replicas: 10,
      percentage: 70,
      minOnDemand: 1,
      spotPods: 7,
      onDemandPods: 3,
      pendingSpotPods: 0,
      targetSpot: 7,
      targetOnDemand: 3,
      updatedAt: new Date(),
    },
  });
}

async function events(clusterId: string, workloadKey: string, count: number) {
  for (let i = 0; i < count; i++)
    await db().spotEvent.create({
      data: {
        clusterId,
        workloadKey,
        at: new Date(Date.parse("2026-12-01T10:00:00Z") + i * 1000),
        reason: "SpotAssigned",
        type: "Normal",
        objectKind: "Pod",
        objectName: `${workloadKey}-${i}`,
        message: `event ${i}`,
      },
    });
}

describe("spotOverview", () => {
  it("lists workloads by namespace, name and kind, of every cluster or one", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    await workload("uid-e", "StatefulSet", "shop", "web");
    await workload("uid-e", "Deployment", "shop", "web");
    await workload("uid-w", "Deployment", "billing", "api");
    const { workloads } = await spotOverview(all());
    expect(workloads.map((w) => `${w.clusterName} ${w.kind} ${w.namespace}/${w.name}`)).toEqual([
      "west Deployment billing/api",
      "east Deployment shop/web",
      "east StatefulSet shop/web",
    ]);
    expect(workloads[0]).toMatchObject({
      spotPods: 7,
      onDemandPods: 3,
      disabledUntil: null,
      permission: { state: "allowed" },
    });
    expect((await spotOverview(all(), { clusterId: "uid-w" })).workloads.map((w) => w.key)).toEqual([
      "Deployment/billing/api",
    ]);
  });

  it("gives each workload its own cluster's latest 25 events, newest first", async () => {
    await workload("uid-e", "Deployment", "shop", "web");
    await workload("uid-w", "Deployment", "shop", "web");
    await events("uid-e", "Deployment/shop/web", 30);
    await events("uid-w", "Deployment/shop/web", 2);
    const [east, west] = (await spotOverview(all())).workloads;
    expect(east!.clusterId).toBe("uid-e");
    expect(east!.events).toHaveLength(25);
    expect(east!.events[0]).toMatchObject({ message: "event 29", at: "2026-12-01T10:00:29.000Z" });
    expect(east!.events[24]!.message).toBe("event 5");
    expect(east!.events[0]).not.toHaveProperty("workloadKey");
    expect(west!.events.map((e) => e.message)).toEqual(["event 1", "event 0"]);
  });

  it("gives a person's permission to patch each workload, from its cluster's answers", async () => {
    const erin: Actor = { name: "erin", via: "proxy", subject: { user: "erin", groups: [] } };
    await addCluster(db(), "uid-e", "east");
    await workload("uid-e", "Deployment", "shop", "web");
    await workload("uid-e", "StatefulSet", "shop", "db");
    await new AccessReadModel(db(), "uid-e").write(erin.subject!, [
      ...viewAnswers({ agents: "all", spot: ["shop"] }),
      {
        access: commandAccess("disable-spot", "shop/web", { kind: "Deployment" })!,
        allowed: true,
        reason: "",
      },
      {
        access: commandAccess("disable-spot", "shop/db", { kind: "StatefulSet" })!,
        allowed: false,
        reason: "erin may not patch statefulsets",
      },
    ]);
    const { workloads } = await spotOverview(await scopeOfActor(db(), erin));
    expect(workloads.map((w) => [w.name, w.permission])).toEqual([
      ["db", { state: "denied", reason: "erin may not patch statefulsets" }],
      ["web", { state: "allowed", reason: "" }],
    ]);
  });
});
