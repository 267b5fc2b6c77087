// The fleet's clusters as the dashboard names them: by display name or id, in `?cluster=`.
import { describe, expect, it } from "vitest";
import { addCluster, queryStore, fullScope } from "@/test/query-store";
import { clusterFilterOf, clusterNames, listClusters, resolveCluster } from "./clusters";

const db = queryStore();
const all = () => fullScope(db());

describe("clusters", () => {
  it("lists the fleet by name and labels ids with names", async () => {
    await addCluster(db(), "uid-w", "west");
    await addCluster(db(), "uid-e", "east");
    expect(await listClusters(all())).toEqual([
      { id: "uid-e", name: "east" },
      { id: "uid-w", name: "west" },
    ]);
    expect(await clusterNames(all())).toEqual(
      new Map([
        ["uid-e", "east"],
        ["uid-w", "west"],
      ]),
    );
  });

  it("resolves a parameter by id, then by name; null when it names no cluster", async () => {
    await addCluster(db(), "uid-e", "east");
    await addCluster(db(), "uid-x", "x-ray");
    // A cluster may not take another cluster's id as its name (controller/store/clusters.ts),
    // so an id and a name never compete.
    await expect(addCluster(db(), "uid-y", "uid-e")).rejects.toThrow(/is the id of another cluster/);
    expect(await resolveCluster(all(), undefined)).toBeUndefined();
    expect(await resolveCluster(all(), "")).toBeUndefined();
    expect(await resolveCluster(all(), "east")).toEqual({ id: "uid-e", name: "east" });
    expect(await resolveCluster(all(), "uid-x")).toEqual({ id: "uid-x", name: "x-ray" });
    expect(await resolveCluster(all(), "uid-e")).toEqual({ id: "uid-e", name: "east" });
    expect(await resolveCluster(all(), "nowhere")).toBeNull();
    // Names are matched exactly: the same on both stores.
    expect(await resolveCluster(all(), "East")).toBeNull();
  });

  it("turns a request's ?cluster= into a filter, or a 404 naming the parameter", async () => {
    await addCluster(db(), "uid-e", "east");
    expect(await clusterFilterOf(all(), new Request("http://x/api/agents"))).toEqual({});
    expect(await clusterFilterOf(all(), new Request("http://x/api/agents?cluster=east"))).toEqual({
      clusterId: "uid-e",
    });
    const answer = await clusterFilterOf(all(), new Request("http://x/api/agents?cluster=west"));
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).status).toBe(404);
    expect(await (answer as Response).json()).toEqual({ error: 'no cluster "west" in the fleet' });
  });
});
