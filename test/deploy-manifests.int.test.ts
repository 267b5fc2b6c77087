// config/deploy is valid for the real API server: every object passes a server-side dry run
// (schema, defaulting, admission), and its RBAC is what the code needs (see test:int:sa).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import YAML from "yaml";
import { REPO_ROOT } from "../hack/local-cluster";
import { kubectl } from "./service-account";

const DEPLOY = path.join(REPO_ROOT, "config/deploy");

describe("config/deploy", () => {
  it("kubectl apply --dry-run=server -k config/deploy accepts every object", async () => {
    const { stdout: rendered } = await kubectl(inject("kubeconfig"), ["kustomize", DEPLOY]);
    const kinds = YAML.parseAllDocuments(rendered).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
      ]),
    );
    const { stdout } = await kubectl(inject("kubeconfig"), ["apply", "--dry-run=server", "-k", DEPLOY]);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(kinds.length);
    for (const line of lines) expect(line).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
  });

  it("every RBAC rule says why it is needed", () => {
    for (const file of ["cluster-role.yaml", "role.yaml"]) {
      const text = fs.readFileSync(path.join(DEPLOY, "rbac", file), "utf8");
      const verbs = [...text.matchAll(/^\s+verbs: \[(.*)\]$/gm)].flatMap((m) => m[1]!.split(/,\s*/));
      expect(verbs.length).toBeGreaterThan(0);
      // Each verb is named in a comment of the file, next to the caller that needs it.
      const comments = text
        .split("\n")
        .filter((l) => l.trim().startsWith("#"))
        .join("\n");
      for (const verb of verbs) expect(comments, `${file}: ${verb}`).toMatch(new RegExp(`\\b${verb}\\b`));
    }
  });
});
