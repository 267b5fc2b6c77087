// A viewer's permissions as each cluster's controller stored them (controller/access/).
import { describe, expect, it } from "vitest";
import { commandAccess, encodeSubject } from "@/lib/access";
import { AccessReadModel } from "@/controller/access/read-model";
import { addCluster, fullScope, queryStore, scopeOfActor } from "@/test/query-store";
import type { Actor } from "../actor";
import { accessStatus, permissions } from "./access";

const db = queryStore();

const update = (key: string) => commandAccess("restore-revision", key, {})!;
const patch = (key: string) => commandAccess("disable-spot", key, { kind: "Deployment" })!;

describe("permissions", () => {
  it("allows the actors with the controller's power, without asking the store", async () => {
    const admin: Actor = { name: "admin", via: "admin-token" };
    expect(
      await permissions(fullScope(db(), admin), [{ clusterId: "uid-e", ...update("datadog/agent") }]),
    ).toEqual([{ state: "allowed", reason: "" }]);
    expect(await db().accessSubject.count()).toBe(0);
  });

  it("answers each question from its own cluster's answers, in order; unchecked without one", async () => {
    const bob: Actor = { name: "bob", via: "proxy", subject: { user: "bob", groups: ["ops"] } };
    await new AccessReadModel(db(), "uid-e").write(bob.subject!, [
      { access: update("datadog/agent"), allowed: true, reason: "" },
      { access: patch("shop/web"), allowed: false, reason: "bob may not patch deployments" },
    ]);
    await new AccessReadModel(db(), "uid-w").write(bob.subject!, [
      { access: update("datadog/agent"), allowed: false, reason: "not in west" },
    ]);
    expect(
      await permissions(await scopeOfActor(db(), bob), [
        { clusterId: "uid-w", ...update("datadog/agent") },
        { clusterId: "uid-e", ...patch("shop/web") },
        { clusterId: "uid-e", ...update("datadog/agent") },
        { clusterId: "uid-e", ...update("datadog/other") },
        { clusterId: "uid-n", ...update("datadog/agent") },
      ]),
    ).toEqual([
      { state: "denied", reason: "not in west" },
      { state: "denied", reason: "bob may not patch deployments" },
      { state: "allowed", reason: "" },
      { state: "unchecked", reason: "" },
      { state: "unchecked", reason: "" },
    ]);
    // Another person's answers are not bob's.
    const carol: Actor = { name: "carol", via: "proxy", subject: { user: "carol", groups: ["ops"] } };
    expect(
      await permissions(await scopeOfActor(db(), carol), [
        { clusterId: "uid-e", ...update("datadog/agent") },
      ]),
    ).toEqual([{ state: "unchecked", reason: "" }]);
  });

  it("notes the person as seen, so every cluster's controller answers for them", async () => {
    const dana: Actor = { name: "dana", via: "proxy", subject: { user: "dana", groups: ["b", "a"] } };
    await scopeOfActor(db(), dana);
    const row = await db().accessSubject.findUniqueOrThrow({ where: { key: encodeSubject(dana.subject!) } });
    expect(Date.now() - row.lastSeenAt.getTime()).toBeLessThan(60_000);
    expect(JSON.parse(row.key)).toEqual({ user: "dana", groups: ["a", "b"] });
  });
});

describe("accessStatus", () => {
  it("names the clusters that have not answered for the person yet", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    const erin: Actor = { name: "erin", via: "proxy", subject: { user: "erin", groups: [] } };
    expect(await accessStatus(await scopeOfActor(db(), erin))).toEqual({
      checking: [
        { id: "uid-e", name: "east" },
        { id: "uid-w", name: "west" },
      ],
    });
    await new AccessReadModel(db(), "uid-w").write(erin.subject!, []);
    expect(await accessStatus(await scopeOfActor(db(), erin))).toEqual({
      checking: [{ id: "uid-e", name: "east" }],
    });
    // The controller's full power checks nothing.
    expect(await accessStatus(fullScope(db()))).toEqual({ checking: [] });
  });
});
