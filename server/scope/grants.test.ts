import { describe, expect, it } from "vitest";
import { viewQuestion, qualifiedResource, type View } from "@/lib/access";
import {
  checkingClusters,
  grantsWithoutAnswers,
  namespacesOf,
  personGrants,
  visibleClusters,
} from "./grants";

/** A stored answer to a view question, as the controller writes it. */
const answer = (clusterId: string, view: View, namespace: string, allowed = true) => {
  const q = viewQuestion(view, namespace);
  return { clusterId, verb: q.verb, resource: qualifiedResource(q), namespace, name: "", allowed };
};

const inputs = (
  answers: ReturnType<typeof answer>[],
  modes: [string, "none" | "kubernetes" | null][] = [],
) => ({
  clusterIds: ["a", "b", "c"],
  modes: new Map(modes),
  answered: new Set(["a", "b"]),
  answers,
});

describe("personGrants", () => {
  it("grants each view where the answers allow it: every namespace, or those listed", () => {
    const grants = personGrants(
      "alice",
      inputs([
        answer("a", "agents", "shop"),
        answer("a", "agents", "web"),
        answer("a", "helm", "shop", false),
        answer("a", "spot", ""),
        answer("b", "agents", ""),
      ]),
    );
    expect(namespacesOf(grants, "a", "agents")).toEqual(["shop", "web"]);
    expect(namespacesOf(grants, "a", "helm")).toEqual([]);
    expect(namespacesOf(grants, "a", "spot")).toBe("all");
    expect(namespacesOf(grants, "b", "agents")).toBe("all");
    expect(visibleClusters(grants)).toEqual(["a", "b"]);
  });

  it("sees nothing of a cluster not answered yet, and names it as checking", () => {
    const grants = personGrants("alice", inputs([answer("c", "agents", "")]));
    expect(namespacesOf(grants, "c", "agents")).toEqual([]);
    expect(checkingClusters(grants)).toEqual(["c"]);
    expect(visibleClusters(grants)).toEqual([]);
  });

  it("sees nothing of a cluster where DatadogAgents are listed nowhere, whatever else is allowed", () => {
    const grants = personGrants("alice", inputs([answer("a", "spot", ""), answer("a", "helm", "")]));
    expect(namespacesOf(grants, "a", "spot")).toEqual([]);
    expect(visibleClusters(grants)).toEqual([]);
  });

  it("sees all of a cluster whose controllers run without per-user authorization", () => {
    const grants = personGrants(
      "alice",
      inputs(
        [],
        [
          ["c", "none"],
          ["a", "kubernetes"],
        ],
      ),
    );
    expect(namespacesOf(grants, "c", "helm")).toBe("all");
    expect(namespacesOf(grants, "a", "agents")).toEqual([]);
    expect(checkingClusters(grants)).toEqual([]);
  });

  it("drops a stored namespace that is not a namespace name (it would be a key prefix), and a profile grant in one", () => {
    const grants = personGrants(
      "alice",
      inputs([
        answer("a", "agents", "shop"),
        answer("a", "agents", "%"),
        answer("a", "agents", "a_b"),
        answer("a", "agents", "Shop"),
        answer("a", "profiles", "shop"),
      ]),
    );
    expect(namespacesOf(grants, "a", "agents")).toEqual(["shop"]);
    expect(namespacesOf(grants, "a", "profiles")).toEqual([]);
  });
});

describe("grantsWithoutAnswers", () => {
  it("gives local mode and the admin token everything, the API token its machine grants, people none yet", () => {
    expect(grantsWithoutAnswers("local")).toEqual({ kind: "full" });
    expect(grantsWithoutAnswers("admin-token")).toEqual({ kind: "full" });
    expect(grantsWithoutAnswers("api-token")).toEqual({ kind: "machine", actorAuth: "api-token" });
    expect(grantsWithoutAnswers("proxy")).toBeNull();
  });
});
