// A command as the dashboard follows it after a click: written as the dashboard writes it.
import { describe, expect, it } from "vitest";
import { insertCommand } from "@/lib/db/commands";
import { addCluster, addHeartbeat, queryStore, fullScope } from "@/test/query-store";
import { getCommand } from "./commands";

const db = queryStore();
const all = () => fullScope(db());

async function ping(clusterId: string): Promise<number> {
  const result = await insertCommand(db(), {
    clusterId,
    kind: "ping",
    target: "",
    payload: { note: "hello" },
    actor: "alice",
    source: "dashboard",
  });
  if (!result.ok) throw new Error(result.error);
  return result.commandId;
}

describe("getCommand", () => {
  it("shows the command without its payload, with its cluster's name; null for an unknown id", async () => {
    await addCluster(db(), "uid-e", "east");
    const id = await ping("uid-e");
    const command = await getCommand(all(), id);
    expect(command).toMatchObject({
      id,
      clusterId: "uid-e",
      clusterName: "east",
      kind: "ping",
      target: "",
      actor: "alice",
      status: "pending",
      message: null,
      appliedAt: null,
      controllerReporting: false,
    });
    expect(command!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(Object.keys(command!)).not.toContain("payload");
    expect(Object.keys(command!)).not.toContain("claimedBy");
    expect(await getCommand(all(), id + 1000)).toBeNull();
  });

  it("redacts the outcome message", async () => {
    await addCluster(db(), "uid-e", "east");
    const id = await ping("uid-e");
    await db().command.update({
      where: { id },
      data: {
        status: "rejected",
        message: "the API server said: Authorization: Bearer abcdef123456",
        appliedAt: new Date(),
      },
    });
    expect(await getCommand(all(), id)).toMatchObject({
      status: "rejected",
      message: "the API server said: Authorization: Bearer [redacted]",
    });
  });

  it("says whether a controller of the command's cluster is running", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-w", "west");
    const id = await ping("uid-e");
    // West's controller runs, east's stopped or went stale: nobody will claim it.
    await addHeartbeat(db(), "uid-w", "west-a", { isLeader: true });
    await addHeartbeat(db(), "uid-e", "east-a", { stoppedAt: new Date() });
    await addHeartbeat(db(), "uid-e", "east-b", { lastSeenAt: new Date(Date.now() - 60_000) });
    expect((await getCommand(all(), id))?.controllerReporting).toBe(false);
    await addHeartbeat(db(), "uid-e", "east-c");
    expect((await getCommand(all(), id))?.controllerReporting).toBe(true);
  });
});
