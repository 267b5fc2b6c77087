import { describe, expect, it } from "vitest";
import { scopeViolation, whereNamesCluster } from "./cluster-scope";

const A = "cluster-a";

describe("whereNamesCluster", () => {
  it.each([
    [{ clusterId: A, key: "ns/x" }, true],
    [{ clusterId_key: { clusterId: A, key: "ns/x" } }, true],
    [{ AND: [{ deletedAt: null }, { clusterId: A }] }, true],
    [{ AND: { clusterId: A } }, true],
    [{ key: "ns/x" }, false],
    [{ clusterId: "cluster-b" }, false],
    [{ clusterId_key: { clusterId: "cluster-b", key: "ns/x" } }, false],
    [{ clusterId: { in: [A, "cluster-b"] } }, false],
    [undefined, false],
  ])("%j → %s", (where, named) => {
    expect(whereNamesCluster(where, A)).toBe(named);
  });
});

describe("scopeViolation", () => {
  it("lets through what stays in the cluster", () => {
    expect(scopeViolation("create", { data: { clusterId: A, key: "x" } }, A)).toBeUndefined();
    expect(scopeViolation("createMany", { data: [{ clusterId: A }, { clusterId: A }] }, A)).toBeUndefined();
    expect(
      scopeViolation(
        "upsert",
        { where: { clusterId_key: { clusterId: A, key: "x" } }, create: { clusterId: A } },
        A,
      ),
    ).toBeUndefined();
    expect(
      scopeViolation("updateMany", { where: { clusterId: A }, data: { status: "x" } }, A),
    ).toBeUndefined();
    expect(scopeViolation("findMany", { where: { clusterId: A, status: "pending" } }, A)).toBeUndefined();
  });

  it("refuses a row created for another cluster, or without one", () => {
    expect(scopeViolation("create", { data: { clusterId: "cluster-b" } }, A)).toMatch(
      /creates a row of another cluster/,
    );
    expect(scopeViolation("create", { data: { key: "x" } }, A)).toMatch(/another cluster/);
    expect(scopeViolation("createMany", { data: [{ clusterId: A }, { clusterId: "b" }] }, A)).toMatch(
      /another cluster/,
    );
    expect(scopeViolation("upsert", { where: { clusterId: A }, create: { clusterId: "b" } }, A)).toMatch(
      /another/,
    );
  });

  it("refuses a read or write whose where does not name the cluster, and a move to another cluster", () => {
    expect(scopeViolation("findMany", {}, A)).toMatch(/does not name this cluster/);
    expect(scopeViolation("deleteMany", { where: { at: { lt: new Date() } } }, A)).toMatch(/does not name/);
    expect(scopeViolation("count", { where: { clusterId: "cluster-b" } }, A)).toMatch(/does not name/);
    expect(scopeViolation("updateMany", { where: { clusterId: A }, data: { clusterId: "b" } }, A)).toMatch(
      /moves a row to another cluster/,
    );
  });
});
