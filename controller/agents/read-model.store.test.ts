// The read model's hot path on both stores: the revision pointers and the latest revision entry
// read back in one prepared statement by a process that has not written them (a restart), what
// this process wrote not read again, and revision entries added only when new.
import { describe, expect, it } from "vitest";
import { agentSnapshot, queryStore } from "@/test/query-store";
import { AgentReadModel } from "./read-model";

const db = queryStore();
const entry = (key: string, name: string) => ({
  agentKey: key,
  name,
  hash: name.slice(-3),
  spec: { global: { site: "datadoghq.com" } },
  cause: "user-edit" as const,
  actor: "alice",
});

describe("AgentReadModel on the hot path", () => {
  it("reads back the pointers another process wrote, for this agent's uid only; none once deleted", async () => {
    const key = "ns/pointers";
    const snapshot = agentSnapshot(key, { status: { currentRevision: "p-bbb", previousRevision: "p-aaa" } });
    const writer = new AgentReadModel(db(), "c-pointers");
    await writer.syncAgent(snapshot, { revision: entry(key, "p-bbb") });

    const restarted = new AgentReadModel(db(), "c-pointers");
    expect((await restarted.state(key, snapshot.uid, undefined)).status).toEqual({
      currentRevision: "p-bbb",
      previousRevision: "p-aaa",
    });
    // Another agent of the same name (a new uid) starts with nothing.
    expect((await new AgentReadModel(db(), "c-pointers").state(key, "other-uid", undefined)).status).toEqual(
      {},
    );
    // Another cluster's agent of the same key is not this one.
    expect(
      (await new AgentReadModel(db(), "c-elsewhere").state(key, snapshot.uid, undefined)).status,
    ).toEqual({});
    // The same entry again is not a new revision (the latest was read with the pointers).
    await restarted.syncAgent({ ...snapshot, generation: 2 }, { revision: entry(key, "p-bbb") });
    expect(await db().agentRevision.count({ where: { clusterId: "c-pointers", agentKey: key } })).toBe(1);

    await restarted.markDeleted(key);
    expect((await new AgentReadModel(db(), "c-pointers").state(key, snapshot.uid, undefined)).status).toEqual(
      {},
    );
  });

  it("records a new revision entry with its change-feed rows, in the cluster, and the agent's last change", async () => {
    const key = "ns/entries";
    const model = new AgentReadModel(db(), "c-entries");
    await model.state(key, "uid-ns-entries", undefined);
    // A new agent's GC before its first entry: nothing to mark.
    await model.setInCluster(key, ["e-aaa"], true);
    await model.syncAgent(agentSnapshot(key, { status: { currentRevision: "e-aaa" } }), {
      revision: entry(key, "e-aaa"),
    });
    await model.setInCluster(key, ["e-aaa"], false);
    await model.syncAgent(
      agentSnapshot(key, { status: { currentRevision: "e-bbb", previousRevision: "e-aaa" } }),
      {
        revision: entry(key, "e-bbb"),
      },
    );
    const rows = await db().agentRevision.findMany({
      where: { clusterId: "c-entries" },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => [r.name, r.inCluster])).toEqual([
      ["e-aaa", false],
      ["e-bbb", true],
    ]);
    const agent = await db().agent.findUniqueOrThrow({
      where: { clusterId_key: { clusterId: "c-entries", key } },
    });
    expect(agent).toMatchObject({
      currentRevision: "e-bbb",
      previousRevision: "e-aaa",
      lastChange: "user-edit by alice",
    });
    expect(await db().change.count({ where: { key, topic: "revisions" } })).toBeGreaterThanOrEqual(2);
  });
});
