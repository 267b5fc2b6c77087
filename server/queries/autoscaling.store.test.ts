// The autoscaling page: the gate of each running controller, every autoscaler and profile.
import { describe, expect, it } from "vitest";
import type { Condition } from "@/lib/autoscaling";
import { conditionsColumn } from "@/lib/read-model/autoscaling";
import { addCluster, addHeartbeat, queryStore, fullScope } from "@/test/query-store";
import { autoscalingOverview } from "./autoscaling";

const db = queryStore();
const all = () => fullScope(db());
const ready: Condition = {
  type: "Ready",
  status: "True",
  reason: "Scaled",
  message: "",
  lastTransitionTime: "2026-12-01T10:00:00Z",
};

async function gate(clusterId: string, controllerId: string, open: boolean) {
  await db().autoscalingGate.create({
    data: {
      clusterId,
      controllerId,
      workloadEnabled: true,
      podStoreEager: false,
      open,
      openedAt: open ? new Date("2026-12-01T10:00:00Z") : null,
      openedByKind: open ? "DatadogPodAutoscaler" : null,
      openedByName: open ? "shop/web" : null,
      podsCached: open ? 12 : 0,
      podStoreBytes: 0,
      updatedAt: new Date(),
    },
  });
}

async function autoscaler(clusterId: string, namespace: string, name: string, conditions: string) {
  await db().podAutoscaler.create({
    data: {
      clusterId,
      key: `${namespace}/${name}`,
      namespace,
      name,
      targetKind: "Deployment",
      targetName: name,
      conditions,
      createdAt: new Date("2026-11-30T00:00:00Z"),
      updatedAt: new Date(),
    },
  });
}

describe("autoscalingOverview", () => {
  it("shows the gates of running controllers only, by cluster name, the leader first", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    await addHeartbeat(db(), "uid-w", "west-a", { isLeader: true });
    await addHeartbeat(db(), "uid-e", "east-a");
    await addHeartbeat(db(), "uid-e", "east-b", { isLeader: true });
    await addHeartbeat(db(), "uid-e", "east-stopped", { stoppedAt: new Date() });
    await addHeartbeat(db(), "uid-e", "east-stale", { lastSeenAt: new Date(Date.now() - 60_000) });
    for (const [cluster, controller] of [
      ["uid-w", "west-a"],
      ["uid-e", "east-a"],
      ["uid-e", "east-b"],
      ["uid-e", "east-stopped"],
      ["uid-e", "east-stale"],
      ["uid-e", "east-never-beat"],
    ] as const)
      await gate(cluster, controller, controller === "east-b");
    const { gates } = await autoscalingOverview(all());
    expect(gates.map((g) => [g.clusterName, g.controllerId, g.isLeader])).toEqual([
      ["east", "east-b", true],
      ["east", "east-a", false],
      ["west", "west-a", true],
    ]);
    expect(gates[0]).toMatchObject({ open: true, openedAt: "2026-12-01T10:00:00.000Z", podsCached: 12 });
    const west = await autoscalingOverview(all(), { clusterId: "uid-w" });
    expect(west.gates.map((g) => g.controllerId)).toEqual(["west-a"]);
  });

  it("lists autoscalers by namespace and name and profiles by name, conditions decoded", async () => {
    await addCluster(db(), "uid-e", "east");
    await autoscaler("uid-e", "shop", "web", conditionsColumn.encode([ready]));
    await autoscaler("uid-e", "billing", "api", "not json");
    await autoscaler("uid-w", "shop", "cart", "[]");
    for (const name of ["zeta", "alpha"])
      await db().podAutoscalerProfile.create({
        data: {
          clusterId: "uid-e",
          name,
          conditions: conditionsColumn.encode([ready]),
          updatedAt: new Date(),
        },
      });
    const overview = await autoscalingOverview(all());
    expect(overview.autoscalers.map((a) => [a.clusterName, a.key])).toEqual([
      ["east", "billing/api"],
      ["uid-w", "shop/cart"],
      ["east", "shop/web"],
    ]);
    expect(overview.autoscalers[0]!.conditions).toEqual([]);
    expect(overview.autoscalers[2]!.conditions).toEqual([ready]);
    expect(overview.autoscalers[2]).not.toHaveProperty("createdAt");
    expect(overview.autoscalers[2]!.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(overview.profiles.map((p) => p.name)).toEqual(["alpha", "zeta"]);
    expect(overview.profiles[0]!.conditions).toEqual([ready]);
    const east = await autoscalingOverview(all(), { clusterId: "uid-e" });
    expect(east.autoscalers.map((a) => a.key)).toEqual(["billing/api", "shop/web"]);
    expect((await autoscalingOverview(all(), { clusterId: "uid-w" })).profiles).toEqual([]);
  });
});
